//! What a held element or a `require()` call waits for: a category or one service.

use super::category::Category;
use super::config::is_valid_id;

/// The value of `data-consent`: a category id or `service:<id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Category(Category),
    Service(String),
}

impl Requirement {
    /// A `data-consent` value: a category id or `service:<id>`. `None` for an unreadable value:
    /// such an element is never released (fail closed).
    pub fn parse(value: &str) -> Option<Requirement> {
        let value = value.trim();
        match value.strip_prefix("service:") {
            Some(id) if is_valid_id(id) => Some(Requirement::Service(id.into())),
            Some(_) => None,
            None => Category::from_id(value).map(Requirement::Category),
        }
    }

    /// A `require()` purpose: what `data-consent` takes, or a bare service id (`"facebook-login"`).
    pub fn parse_purpose(purpose: &str) -> Option<Requirement> {
        Requirement::parse(purpose).or_else(|| {
            let id = purpose.trim();
            is_valid_id(id).then(|| Requirement::Service(id.into()))
        })
    }

    /// The `data-consent` value that waits for it: the category id, or `service:<id>`.
    pub fn to_markup(&self) -> String {
        match self {
            Requirement::Category(c) => c.id().into(),
            Requirement::Service(id) => ["service:", id].concat(),
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

    #[test]
    fn purposes_also_take_a_bare_service_id() {
        assert_eq!(
            Requirement::parse_purpose("facebook-login"),
            Some(Requirement::Service("facebook-login".into()))
        );
        assert_eq!(
            Requirement::parse_purpose("sns"),
            Some(Requirement::Category(Category::Sns))
        );
        for bad in ["", "Face Book", "service:"] {
            assert_eq!(Requirement::parse_purpose(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn markup_round_trips() {
        for text in ["ads", "service:youtube"] {
            assert_eq!(Requirement::parse(text).unwrap().to_markup(), text);
        }
    }
}
