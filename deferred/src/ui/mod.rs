//! What the visitor sees, decided without a browser: which first layer a state calls for, the
//! language to speak, and the texts. The web shell (`crate::web::ui`) draws it.

pub mod texts;

pub use texts::{texts, Lang, Texts};

/// The categories a visitor chooses, in the order the preference center lists them
/// (`necessary` first: shown on, and not switchable).
pub const CATEGORIES: [&str; 5] = ["necessary", "functional", "analytics", "ads", "sns"];

/// The first layer a page shows before a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstLayer {
    /// Opt-in: nothing is sent until the visitor chooses; accept all, reject all and preferences,
    /// equal on the same layer.
    Banner,
    /// Opt-out (Japan's default for analytics and ads): what is sent and to whom, a one-click
    /// refuse and the preferences.
    Notice,
}

impl FirstLayer {
    /// The layer for a checkpoint state (`window.sekisho.get()`): none once decided.
    pub fn for_state(decided: bool, regime: &str) -> Option<FirstLayer> {
        match (decided, regime) {
            (true, _) => None,
            (false, "opt-out") => Some(FirstLayer::Notice),
            (false, _) => Some(FirstLayer::Banner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecided_visitor_sees_the_layer_of_the_regime() {
        assert_eq!(
            FirstLayer::for_state(false, "opt-in"),
            Some(FirstLayer::Banner)
        );
        assert_eq!(
            FirstLayer::for_state(false, "opt-out"),
            Some(FirstLayer::Notice)
        );
        // an unknown regime is treated as the strict one
        assert_eq!(FirstLayer::for_state(false, "?"), Some(FirstLayer::Banner));
        assert_eq!(FirstLayer::for_state(true, "opt-in"), None);
        assert_eq!(FirstLayer::for_state(true, "opt-out"), None);
    }
}
