//! One module per page.

pub mod audit;
pub mod claims;
pub mod exposures;
pub mod identity;
pub mod integration;
pub mod key_actions;
pub mod keys;
pub mod logs;
pub mod members;
pub mod overview;
pub mod programs;
pub mod sign_in;
pub mod webhooks;
pub mod workspace;
