//! The markup checkpoint's vocabulary: what a `data-consent` attribute asks for.

use super::category::Category;
use super::config::is_valid_id;

/// The value of `data-consent`: a category id or `service:<id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Category(Category),
    Service(String),
}

impl Requirement {
    /// `None` for an unreadable value: such an element is never released (fail closed).
    pub fn parse(value: &str) -> Option<Requirement> {
        let value = value.trim();
        match value.strip_prefix("service:") {
            Some(id) if is_valid_id(id) => Some(Requirement::Service(id.into())),
            Some(_) => None,
            None => Category::from_id(value).map(Requirement::Category),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_categories_and_services() {
        assert_eq!(
            Requirement::parse("analytics"),
            Some(Requirement::Category(Category::Analytics))
        );
        assert_eq!(
            Requirement::parse(" sns "),
            Some(Requirement::Category(Category::Sns))
        );
        assert_eq!(
            Requirement::parse("service:youtube"),
            Some(Requirement::Service("youtube".into()))
        );
        for bad in ["", "marketing", "service:", "service:You Tube", "Analytics"] {
            assert_eq!(Requirement::parse(bad), None, "{bad:?}");
        }
    }
}
