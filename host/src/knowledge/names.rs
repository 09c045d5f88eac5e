//! What collection names, document ids and tags may be: they are path segments in the API,
//! terms in the index and labels in the UI.

/// The longest description of a collection, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// The most tags a document may have.
pub const MAX_TAGS: usize = 20;

/// A collection name: 1–63 of lower-case letters, digits, `_` and `-`, starting with a
/// letter or digit.
pub fn check_collection(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if first_ok && rest_ok && name.len() <= 63 {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a collection name: use 1-63 lower-case letters, digits, `_` and `-`, starting with a letter or digit",
            name.chars().take(80).collect::<String>()
        ))
    }
}

/// A document id: 1–200 characters, no `/`, `\` or control characters.
pub fn check_document(id: &str) -> Result<(), String> {
    let ok = !id.trim().is_empty()
        && id.chars().count() <= 200
        && !id.chars().any(|c| c.is_control() || c == '/' || c == '\\');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a document id: use 1-200 characters without `/`, `\\` or control characters",
            id.chars().take(80).collect::<String>().escape_default()
        ))
    }
}

/// Tags: at most [`MAX_TAGS`], each 1–64 of letters, digits, `_`, `.`, `:` and `-`.
pub fn check_tags(tags: &[String]) -> Result<(), String> {
    if tags.len() > MAX_TAGS {
        return Err(format!("a document may have at most {MAX_TAGS} tags"));
    }
    for tag in tags {
        let ok = !tag.is_empty()
            && tag.len() <= 64
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'));
        if !ok {
            return Err(format!(
                "`{}` is not a tag: use 1-64 letters, digits, `_`, `.`, `:` and `-`",
                tag.chars().take(80).collect::<String>().escape_default()
            ));
        }
    }
    Ok(())
}

/// The id a file gets when none is given: its name without any folder.
pub fn file_stem_id(file_name: &str) -> String {
    file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ids_and_tags_are_checked() {
        assert!(check_collection("hr-policies_2026").is_ok());
        assert!(check_collection("HR").is_err());
        assert!(check_collection("-x").is_err());
        assert!(check_collection("").is_err());
        assert!(check_collection(&"a".repeat(64)).is_err());
        assert!(check_document("Leave policy (2026).md").is_ok());
        assert!(check_document("../etc/passwd").is_err());
        assert!(check_document("a\nb").is_err());
        assert!(check_tags(&["hr".into(), "year:2026".into()]).is_ok());
        assert!(check_tags(&["two words".into()]).is_err());
        assert_eq!(file_stem_id("C:\\docs\\leave.md"), "leave.md");
        assert_eq!(file_stem_id("docs/leave.md"), "leave.md");
    }
}
