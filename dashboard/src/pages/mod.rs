//! One module per page.

pub mod key_actions;
pub mod keys;
pub mod sign_in;
