//! Which rules can concern a case at all: those of its category, of a
//! category above it, or of none. A city's table holds thousands of rules,
//! nearly all about other categories; routing and its explanation look only
//! at these few (the store loads the same set, see [`category_lineage`]).

use std::collections::HashMap;

use super::{Case, Decision, Directory, RoutingRule, route};

/// The category and every category above it, deepest last:
/// `public_safety.snow_ice.snow_on_sheds` → `public_safety`,
/// `public_safety.snow_ice`, `public_safety.snow_ice.snow_on_sheds`.
pub fn category_lineage(code: &str) -> Vec<&str> {
    code.match_indices('.')
        .map(|(i, _)| &code[..i])
        .chain(std::iter::once(code))
        .collect()
}

/// The routing table grouped by category, for routing many cases in memory.
#[derive(Debug, Clone, Default)]
pub struct RuleBook {
    by_category: HashMap<String, Vec<RoutingRule>>,
    any_category: Vec<RoutingRule>,
}

impl RuleBook {
    pub fn new(rules: impl IntoIterator<Item = RoutingRule>) -> Self {
        let mut book = RuleBook::default();
        for rule in rules {
            match &rule.category {
                Some(code) => book.by_category.entry(code.clone()).or_default().push(rule),
                None => book.any_category.push(rule),
            }
        }
        book
    }

    /// The rules that can concern a case of `category`.
    pub fn candidates(&self, category: &str) -> Vec<RoutingRule> {
        let mut out = self.any_category.clone();
        for code in category_lineage(category) {
            if let Some(rules) = self.by_category.get(code) {
                out.extend(rules.iter().cloned());
            }
        }
        out
    }

    /// [`route`] over the candidates of the case's category.
    pub fn route(&self, case: &Case<'_>, directory: &dyn Directory) -> Decision {
        route(&self.candidates(case.category), case, directory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lineage_runs_from_the_root_down() {
        assert_eq!(
            category_lineage("public_safety.snow_ice.snow_on_sheds"),
            [
                "public_safety",
                "public_safety.snow_ice",
                "public_safety.snow_ice.snow_on_sheds"
            ]
        );
        assert_eq!(category_lineage("heating"), ["heating"]);
    }
}
