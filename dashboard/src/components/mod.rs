//! Pieces several pages share.

pub mod chart;
pub mod copy;
pub mod keys;
pub mod modal;
pub mod paged;
pub mod shell;
