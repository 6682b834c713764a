//! What the route tables say about each operation for its documentation: tag, summary,
//! description, request and answer types, query parameters, the errors it answers besides
//! the ones its row implies. The OpenAPI document is generated from this and the wire
//! types (`tools/src/openapi.rs`); nothing here is read when serving a request.

use schemars::{JsonSchema, Schema, SchemaGenerator};

use crate::error::ErrorCode;

/// Produces a type's schema (a `$ref` into the shared components, for named types).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T`, for the tables.
pub fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// A query parameter an operation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryParam {
    /// `limit`: page size, 1 to `max`, `default` when absent.
    Limit {
        /// When absent.
        default: i64,
        /// The largest accepted.
        max: i64,
    },
    /// `cursor`: a row id, from `next_cursor`.
    IntCursor,
    /// `cursor`: `<unix ms>.<id>`, from `next_cursor`.
    PairCursor,
    /// `key_id`: only rows about this key.
    KeyId,
    /// `status`: `403` or a class, `4xx`.
    Status,
    /// `route`: an operation's name, e.g. `coins.credit`.
    RouteName,
    /// `since`: RFC 3339, inclusive.
    Since,
    /// `until`: RFC 3339, exclusive.
    Until,
    /// `status`: `pending`, `approved` or `rejected`.
    ClaimStatus,
    /// `environment`: `test` (the default) or `prod`.
    Environment,
    /// `v`: the lowest wallet version the answer may have (`crate::version`).
    MinVersion,
}

/// The pattern of an integer cursor (empty: the first page).
pub const INT_CURSOR_PATTERN: &str = "^([1-9][0-9]{0,14})?$";
/// The pattern of a time-and-id cursor (empty: the first page).
pub const PAIR_CURSOR_PATTERN: &str = "^([0-9]{1,15}\\.[A-Za-z0-9_]{1,64})?$";
/// The pattern of the request log's `status` filter.
pub const STATUS_FILTER_PATTERN: &str = "^[1-5]([0-9]{2}|xx)$";

/// How an operation answers when it succeeds.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// 200, 201 or 202.
    pub status: u16,
    /// `application/json` or `text/html`.
    pub media: &'static str,
    /// The body's schema.
    pub schema: SchemaFn,
}

/// Everything the document says about one operation beyond its row's rules.
#[derive(Debug, Clone, Copy)]
pub struct OpDoc {
    /// The group it is listed under.
    pub tag: &'static str,
    /// One line.
    pub summary: &'static str,
    /// The row's doc comment: what it does, in Markdown.
    pub description: &'static str,
    /// The JSON body it reads, if any.
    pub body: Option<SchemaFn>,
    /// Whether the body may be left out (every field optional).
    pub body_optional: bool,
    /// Its success.
    pub answer: Answer,
    /// The query parameters it reads.
    pub query: &'static [QueryParam],
    /// Errors it answers besides those its row implies (key, scopes, token, PIN, body).
    pub errors: &'static [ErrorCode],
}

/// Builds an [`OpDoc`] from a table row's `doc: { … }` (used by `routes!` and
/// `admin_routes!`).
#[macro_export]
#[doc(hidden)]
macro_rules! op_doc {
    ($($doc:literal)*; tag: $tag:literal, summary: $summary:literal,
     $(body: $body:ty $(, optional: $opt:literal)?,)?
     answer: $status:literal $answer:ty $(as $media:literal)?,
     query: [$($q:expr),* $(,)?], errors: [$($err:ident),* $(,)?] $(,)?) => {
        $crate::doc::OpDoc {
            tag: $tag,
            summary: $summary,
            description: concat!($($doc, "\n",)*),
            body: {
                #[allow(unused_mut, unused_assignments)]
                let mut body: Option<$crate::doc::SchemaFn> = None;
                $( body = Some($crate::doc::schema_of::<$body>); )?
                body
            },
            body_optional: false $($( || $opt )?)?,
            answer: $crate::doc::Answer {
                status: $status,
                media: {
                    #[allow(unused_mut, unused_assignments)]
                    let mut media = "application/json";
                    $( media = $media; )?
                    media
                },
                schema: $crate::doc::schema_of::<$answer>,
            },
            query: &[$($q),*],
            errors: &[$($crate::error::ErrorCode::$err),*],
        }
    };
}

/// The body of `/docs`: an HTML page.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl JsonSchema for Html {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Html".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

/// The body of `/v1/openapi.json`: an OpenAPI 3.1 document.
#[derive(Debug, Clone, Copy)]
pub struct OpenApiDocument;

impl JsonSchema for OpenApiDocument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OpenApiDocument".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "properties": { "openapi": { "type": "string", "pattern": "^3\\.1\\." } }
        })
    }
}

#[cfg(test)]
mod tests {
    use schemars::generate::SchemaSettings;

    use super::*;

    fn generator() -> SchemaGenerator {
        let mut settings = SchemaSettings::draft2020_12();
        settings.definitions_path = "/components/schemas".into();
        settings.into_generator()
    }

    #[test]
    fn named_types_are_shared_components_and_the_pages_are_inline_strings() {
        let mut g = generator();
        let health = schema_of::<crate::wire::Health>(&mut g);
        assert_eq!(
            health.as_value(),
            &serde_json::json!({ "$ref": "#/components/schemas/Health" })
        );
        assert!(g.definitions().contains_key("Health"));
        let html = schema_of::<Html>(&mut g);
        assert_eq!(html.as_value(), &serde_json::json!({ "type": "string" }));
        let doc = schema_of::<OpenApiDocument>(&mut g);
        assert_eq!(
            doc.get("required"),
            Some(&serde_json::json!(["openapi", "info", "paths"]))
        );
        // Inline: neither page type becomes a component.
        assert!(
            !g.definitions().contains_key("Html")
                && !g.definitions().contains_key("OpenApiDocument")
        );
    }
}
