//! The policy core: pure Rust, no browser APIs, host-tested.

pub mod catalog;
pub mod category;
pub mod config;
pub mod consent;
pub mod cookie;
pub mod html;
pub mod json;
pub mod markup;
pub mod matcher;
pub mod regime;
pub mod revoke;
pub mod value;

pub use category::{Category, CategorySet};
pub use config::{parse_config, Config, ConfigError};
pub use consent::{Choice, ConsentState, Decision, LoadOutcome, StoredChoice};
pub use regime::{Regime, RegimeRule};
pub use value::Value;
