//! sagemaker-autoscale: Amazon SageMaker endpoint autoscaling as code.
//!
//! Data flows one way: config -> validate -> desired state; aws -> current state;
//! plan = diff(desired, current); render(plan); apply(plan).

#![warn(missing_docs)]

pub mod action;
pub mod apply;
pub mod aws;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod error;
pub mod expected;
pub mod github;
pub mod import;
pub mod inputs;
pub mod keywords;
pub mod model;
pub mod ownership;
pub mod plan;
pub mod render;
pub mod resource;
pub mod schedule;
pub mod schema;
pub mod simulate;
pub mod source;
mod suggest;
pub mod tags;
pub mod timestamp;
pub mod tune;
pub mod validate;

pub use check::{Checked, check, check_text};
