//! The five consent categories and the bit set the `sekisho` cookie stores.

/// A consent category. The discriminant is the bit position in the cookie's `grantedCategoryBits`
/// (a public contract: never reorder).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Category {
    /// Always granted: fraud prevention, support, billing, notices, the consent cookie itself.
    Necessary = 0,
    /// Smooth use of the site (preferences, UI state).
    Functional = 1,
    /// Statistics and planning.
    Analytics = 2,
    /// Advertising, ad measurement, advertiser ad IDs.
    Ads = 3,
    /// SNS linkage (login, widgets) and embeds. Always opt-in.
    Sns = 4,
}

impl Category {
    /// All categories in bit order.
    pub const ALL: [Category; 5] = [
        Category::Necessary,
        Category::Functional,
        Category::Analytics,
        Category::Ads,
        Category::Sns,
    ];

    /// The public id used in config, markup (`data-consent`) and the API.
    pub fn id(self) -> &'static str {
        match self {
            Category::Necessary => "necessary",
            Category::Functional => "functional",
            Category::Analytics => "analytics",
            Category::Ads => "ads",
            Category::Sns => "sns",
        }
    }

    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == id)
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of granted categories. `necessary` is always in it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CategorySet(u8);

impl CategorySet {
    /// Only `necessary`.
    pub const NECESSARY: CategorySet = CategorySet(1);
    /// Every category.
    pub const ALL: CategorySet = CategorySet(0b1_1111);

    /// Decodes the cookie's bit field; `None` for bits outside the five categories or without
    /// `necessary` (a value this SDK never writes, so a sign of corruption).
    pub fn from_bits(bits: u8) -> Option<CategorySet> {
        (bits & !Self::ALL.0 == 0 && bits & 1 == 1).then_some(CategorySet(bits))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, category: Category) -> bool {
        self.0 & category.bit() != 0
    }

    /// This set with `category` granted or denied; `necessary` cannot be denied.
    #[must_use]
    pub fn with(self, category: Category, granted: bool) -> CategorySet {
        if granted || category == Category::Necessary {
            CategorySet(self.0 | category.bit())
        } else {
            CategorySet(self.0 & !category.bit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_in_bit_order() {
        for (i, c) in Category::ALL.into_iter().enumerate() {
            assert_eq!(c as usize, i);
            assert_eq!(Category::from_id(c.id()), Some(c));
        }
        assert_eq!(Category::from_id("marketing"), None);
        assert_eq!(Category::from_id("Analytics"), None);
    }

    #[test]
    fn necessary_cannot_be_denied() {
        let s = CategorySet::ALL.with(Category::Necessary, false);
        assert!(s.contains(Category::Necessary));
        assert_eq!(
            CategorySet::NECESSARY.with(Category::Ads, true).bits(),
            0b1001
        );
        assert_eq!(CategorySet::ALL.with(Category::Ads, false).bits(), 0b1_0111);
    }

    #[test]
    fn bits_outside_the_categories_or_without_necessary_are_rejected() {
        assert_eq!(CategorySet::from_bits(31), Some(CategorySet::ALL));
        assert_eq!(CategorySet::from_bits(1), Some(CategorySet::NECESSARY));
        assert_eq!(CategorySet::from_bits(32), None);
        assert_eq!(CategorySet::from_bits(0), None);
        assert_eq!(CategorySet::from_bits(30), None);
    }
}
