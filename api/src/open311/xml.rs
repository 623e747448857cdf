//! One Open311 document, written as XML or as JSON by the Spark convention
//! (<http://wiki.open311.org/JSON_and_XML_Conversion>): the same [`Tree`]
//! gives both, so the two formats cannot drift apart.
//!
//! - XML: `<?xml version="1.0" encoding="utf-8"?>`, the root element, one
//!   element per field, and for a list a wrapper element holding one element
//!   per entry (`<services><service>…</service></services>`). Text is
//!   escaped with quick-xml's `escape` (`< > & ' "` and `\r`); characters
//!   that XML 1.0 forbids (C0 controls other than tab, line feed and carriage
//!   return; U+FFFE, U+FFFF) are dropped. Two-space indentation.
//! - JSON: the root is left out (a list is a bare array, a record a bare
//!   object), fields keep their order, text is kept as it is (JSON can carry
//!   any character), numbers and booleans are JSON numbers and booleans.
//!
//! An absent value ([`Node::Text(None)`](Node::Text)) is an empty element in
//! XML and `null` in JSON, as in the spec's examples; a field left out of a
//! record is left out of both.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A document: the name of its root element and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub root: &'static str,
    pub body: Node,
}

/// One value of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text; `None` is an empty element in XML, `null` in JSON.
    Text(Option<String>),
    /// A whole number (`order`, an error's `code`).
    Integer(i64),
    /// A decimal (`lat`, `long`); `None` or a non-finite value is an empty
    /// element in XML, `null` in JSON.
    Number(Option<f64>),
    /// `true` / `false` in both formats.
    Bool(bool),
    /// Named fields, in this order.
    Record(Vec<(&'static str, Node)>),
    /// A list: in XML one `item` element per entry inside the list's own
    /// element; in JSON an array.
    List {
        item: &'static str,
        entries: Vec<Node>,
    },
}

impl Node {
    pub fn text(value: impl Into<String>) -> Node {
        Node::Text(Some(value.into()))
    }

    /// Text that may be absent.
    pub fn opt_text(value: Option<&str>) -> Node {
        Node::Text(value.map(str::to_owned))
    }
}

pub const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

impl Tree {
    /// The document as UTF-8 XML, declaration first, ending with a newline.
    pub fn to_xml(&self) -> Vec<u8> {
        let mut out = String::with_capacity(256);
        out.push_str(XML_DECLARATION);
        out.push('\n');
        write_element(&mut out, 0, self.root, &self.body);
        out.into_bytes()
    }

    /// The document as compact UTF-8 JSON, without its root.
    pub fn to_json(&self) -> Vec<u8> {
        // Only strings, numbers, booleans, null, arrays and objects with
        // string keys: serde_json cannot fail on them (a non-finite number
        // is written as null).
        serde_json::to_vec(&self.body).unwrap_or_else(|e| {
            tracing::error!(error = %e, root = self.root, "open311 document not serialisable");
            b"null".to_vec()
        })
    }
}

/// Whether XML 1.0 allows `c` in a document (its production `Char`; a Rust
/// `char` is never a surrogate).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` without the characters XML 1.0 forbids.
pub fn strip_illegal_xml_chars(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| is_xml_char(c)).collect())
    }
}

/// `text` ready to stand as XML character data: forbidden characters
/// dropped, markup characters escaped.
pub fn xml_text(text: &str) -> String {
    quick_xml::escape::escape(strip_illegal_xml_chars(text)).into_owned()
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn scalar(node: &Node) -> Option<String> {
    match node {
        Node::Text(text) => Some(text.as_deref().map(xml_text).unwrap_or_default()),
        Node::Integer(n) => Some(n.to_string()),
        Node::Number(n) => Some(
            n.filter(|n| n.is_finite())
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
        Node::Bool(b) => Some(b.to_string()),
        Node::Record(_) | Node::List { .. } => None,
    }
}

/// `<name>…</name>` at `depth`, followed by a newline. Names are the spec's
/// fixed element names, never data, so they are written as they are.
fn write_element(out: &mut String, depth: usize, name: &str, node: &Node) {
    indent(out, depth);
    out.push('<');
    out.push_str(name);
    out.push('>');
    if let Some(text) = scalar(node) {
        out.push_str(&text);
    } else {
        let children: Vec<(&str, &Node)> = match node {
            Node::Record(fields) => fields.iter().map(|(n, v)| (*n, v)).collect(),
            Node::List { item, entries } => entries.iter().map(|v| (*item, v)).collect(),
            _ => Vec::new(),
        };
        if !children.is_empty() {
            out.push('\n');
            for (child_name, child) in children {
                write_element(out, depth + 1, child_name, child);
            }
            indent(out, depth);
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Text(None) | Node::Number(None) => serializer.serialize_unit(),
            Node::Text(Some(text)) => serializer.serialize_str(text),
            Node::Integer(n) => serializer.serialize_i64(*n),
            Node::Number(Some(n)) if n.is_finite() => serializer.serialize_f64(*n),
            Node::Number(Some(_)) => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::Record(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (name, value) in fields {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
            Node::List { entries, .. } => {
                let mut seq = serializer.serialize_seq(Some(entries.len()))?;
                for entry in entries {
                    seq.serialize_element(entry)?;
                }
                seq.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Tree {
        Tree {
            root: "things",
            body: Node::List {
                item: "thing",
                entries: vec![Node::Record(vec![
                    ("name", Node::text("a <b> & \"c\"")),
                    ("none", Node::Text(None)),
                    ("n", Node::Integer(3)),
                    ("x", Node::Number(Some(-122.4651145))),
                    ("y", Node::Number(Some(f64::NAN))),
                    ("ok", Node::Bool(true)),
                    (
                        "tags",
                        Node::List {
                            item: "tag",
                            entries: vec![Node::text("t1"), Node::text("t2")],
                        },
                    ),
                    (
                        "empty",
                        Node::List {
                            item: "e",
                            entries: vec![],
                        },
                    ),
                ])],
            },
        }
    }

    #[test]
    fn xml_nests_lists_and_escapes_text() {
        let xml = String::from_utf8(sample().to_xml()).expect("utf-8");
        let expected = r#"<?xml version="1.0" encoding="utf-8"?>
<things>
  <thing>
    <name>a &lt;b&gt; &amp; &quot;c&quot;</name>
    <none></none>
    <n>3</n>
    <x>-122.4651145</x>
    <y></y>
    <ok>true</ok>
    <tags>
      <tag>t1</tag>
      <tag>t2</tag>
    </tags>
    <empty></empty>
  </thing>
</things>
"#;
        assert_eq!(xml, expected);
    }

    #[test]
    fn json_drops_the_root_and_keeps_field_order() {
        let json = String::from_utf8(sample().to_json()).expect("utf-8");
        assert_eq!(
            json,
            r#"[{"name":"a <b> & \"c\"","none":null,"n":3,"x":-122.4651145,"y":null,"ok":true,"tags":["t1","t2"],"empty":[]}]"#
        );
    }

    #[test]
    fn forbidden_characters_are_dropped_and_the_rest_kept() {
        assert_eq!(
            strip_illegal_xml_chars("a\u{0}b\u{7}c\u{1b}d\u{b}\u{c}\u{fffe}\u{ffff}e"),
            "abcde"
        );
        let kept = "tab\tlf\ncr\r 中文 \u{7f} \u{85} 😀 \u{e000}";
        assert!(matches!(strip_illegal_xml_chars(kept), Cow::Borrowed(_)));
        assert_eq!(
            xml_text("x\u{1}\r\n<"),
            "x&#13;\n&lt;",
            "a carriage return is kept as a character reference"
        );
    }

    #[test]
    fn an_empty_top_list_is_an_empty_root() {
        let tree = Tree {
            root: "services",
            body: Node::List {
                item: "service",
                entries: vec![],
            },
        };
        assert_eq!(
            String::from_utf8(tree.to_xml()).expect("utf-8"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services></services>\n"
        );
        assert_eq!(tree.to_json(), b"[]");
    }
}
