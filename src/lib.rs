//! sagemaker-autoscale: Amazon SageMaker endpoint autoscaling as code.
//!
//! Data flows one way: config -> validate -> desired state. Later stages (reading AWS,
//! planning, applying, GitHub) build on [`model::DesiredState`].

pub mod check;
pub mod config;
pub mod diagnostic;
pub mod inputs;
pub mod keywords;
pub mod model;
pub mod schema;
pub mod source;
mod suggest;
pub mod validate;

pub use check::{Checked, check, check_text};
