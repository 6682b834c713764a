pub mod card;
pub mod notice;
pub mod referral;
pub mod skeleton;
pub mod wallet;
