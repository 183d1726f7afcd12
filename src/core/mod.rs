//! The policy core: pure Rust, no browser APIs, host-tested.

pub mod audit;
pub mod catalog;
pub mod category;
pub mod checkpoint;
pub mod config;
pub mod consent;
pub mod cookie;
pub mod css;
pub mod elements;
pub mod first_layer;
pub mod html;
pub mod ids;
pub mod json;
pub mod json_out;
pub mod lang;
pub mod matcher;
pub mod modules;
pub mod regime;
pub mod requirement;
pub mod revoke;
pub mod signals;
pub mod uncovered;
pub mod value;

pub use category::{Category, CategorySet};
pub use checkpoint::{Checkpoint, Judgement, Kind, PageContext, Rewrite, Verdict};
pub use config::{parse_config, Config, ConfigError};
pub use consent::{Choice, ConsentState, Decision, LoadOutcome, StoredChoice};
pub use regime::{Regime, RegimeRule};
pub use value::Value;
