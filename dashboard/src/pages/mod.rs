//! One module per page.

pub mod identity;
pub mod key_actions;
pub mod keys;
pub mod sign_in;
