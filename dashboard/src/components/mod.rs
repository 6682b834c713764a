//! Pieces every page uses.

pub mod copy;
pub mod shell;
