//! Config diagnostics: every problem in the site's config, each naming its field, as the console
//! lines the site's developers read. The checkpoint applies the same rules without messages
//! (`sekisho::core::config::parse_config_quietly`): a bad field falls back alone to its strictest
//! value there, and is explained here.

use sekisho::core::config::{parse_config, Config};
use sekisho::core::json;

/// The console lines for `config` (the text of `#sekisho-config` or the baked-in config; `None`
/// without one): empty for a valid config.
pub fn report(config: Option<&str>) -> Vec<String> {
    read(config).1
}

/// The config as the checkpoint applies it (a bad field falls back alone to its strictest
/// value), and the console lines that explain each problem.
pub fn read(config: Option<&str>) -> (Config, Vec<String>) {
    let value = match config.map(json::parse) {
        None => return (Config::default(), Vec::new()),
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            let line = [
                "config: not valid JSON at byte ",
                &e.offset.to_string(),
                " (",
                e.reason,
                "); using strict defaults",
            ]
            .concat();
            return (Config::default(), vec![line]);
        }
    };
    let (config, errors) = parse_config(&value);
    let mut lines: Vec<String> = errors
        .iter()
        .map(|e| ["config.", &e.field, ": ", &e.message].concat())
        .collect();
    lines.extend(crate::ui::text_problems(&config));
    (config, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_config_has_nothing_to_say() {
        assert!(report(None).is_empty());
        assert!(report(Some(r#"{"revision":1,"regime":"opt-in"}"#)).is_empty());
    }

    #[test]
    fn each_problem_names_its_field() {
        let lines = report(Some(
            r#"{"regime":"sometimes","services":{"x":{"category":"marketing"}},"colour":1}"#,
        ));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("config.regime: expected \"opt-in\", \"opt-out\" or \"regional\"")
        );
        assert!(lines[1].starts_with("config.services.x.category: "));
        assert!(lines[2].starts_with("config.colour: unknown field"));
    }

    #[test]
    fn unparsable_json_says_where() {
        let lines = report(Some(r#"{"revision":1, "regime": "#));
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("config: not valid JSON at byte "),
            "{}",
            lines[0]
        );
    }
}
