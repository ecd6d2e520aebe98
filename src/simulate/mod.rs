//! simulate: replay recorded metrics through the current and the proposed policies and
//! compare what each would have done. docs/simulate.md states the model and its limits.

pub mod clock;
pub mod engine;
pub mod signals;
#[cfg(test)]
mod traces;
