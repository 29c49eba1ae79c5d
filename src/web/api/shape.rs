//! The shape of a JSON response, written from the generated OpenAPI schemas for the API page:
//! fields in declaration order, a placeholder per type (`"YYYY-MM-DD"` for a date, the values of
//! an enumeration), one element per array. Generated, so the page cannot drift from the code.

use utoipa::openapi::schema::{ArrayItems, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{KnownFormat, OpenApi, RefOr};

/// Deepest nesting written (the API's types nest four levels at most).
const MAX_DEPTH: usize = 8;

/// The shape of the 200 response of GET `path`, if it has a schema.
pub fn response_shape(doc: &OpenApi, path: &str) -> Option<String> {
    let op = doc.paths.paths.get(path)?.get.as_ref()?;
    let RefOr::T(response) = op.responses.responses.get("200")? else {
        return None;
    };
    let schema = response.content.get("application/json")?.schema.as_ref()?;
    let mut out = String::new();
    write(doc, schema, 0, &mut out);
    Some(out)
}

/// The shape of a named component schema (the error body).
pub fn component_shape(doc: &OpenApi, name: &str) -> Option<String> {
    let schema = doc.components.as_ref()?.schemas.get(name)?;
    let mut out = String::new();
    write(doc, schema, 0, &mut out);
    Some(out)
}

fn resolve<'a>(doc: &'a OpenApi, schema: &'a RefOr<Schema>) -> Option<&'a Schema> {
    match schema {
        RefOr::T(s) => Some(s),
        RefOr::Ref(r) => {
            let name = r.ref_location.rsplit('/').next()?;
            match doc.components.as_ref()?.schemas.get(name)? {
                RefOr::T(s) => Some(s),
                RefOr::Ref(_) => None,
            }
        }
    }
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

fn write(doc: &OpenApi, schema: &RefOr<Schema>, depth: usize, out: &mut String) {
    if depth > MAX_DEPTH {
        out.push_str("{…}");
        return;
    }
    let Some(schema) = resolve(doc, schema) else {
        out.push_str("null");
        return;
    };
    match schema {
        Schema::Array(a) => match &a.items {
            ArrayItems::RefOrSchema(item) => {
                out.push_str("[\n");
                out.push_str(&indent(depth + 1));
                write(doc, item, depth + 1, out);
                out.push_str(", …\n");
                out.push_str(&indent(depth));
                out.push(']');
            }
            ArrayItems::False => out.push_str("[]"),
        },
        // `Option<T>` of a named type: null or T.
        Schema::OneOf(one) => match one.items.iter().find(
            |i| !matches!(resolve(doc, i), Some(Schema::Object(o)) if is_null(&o.schema_type)),
        ) {
            Some(item) => write(doc, item, depth, out),
            None => out.push_str("null"),
        },
        Schema::AllOf(all) => match all.items.first() {
            Some(item) => write(doc, item, depth, out),
            None => out.push_str("null"),
        },
        Schema::Object(o) => {
            if let Some(values) = &o.enum_values {
                let names: Vec<String> = values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                out.push_str(&format!("\"{}\"", names.join(" | ")));
                return;
            }
            if !o.properties.is_empty() {
                out.push_str("{\n");
                let n = o.properties.len();
                for (i, (name, prop)) in o.properties.iter().enumerate() {
                    out.push_str(&format!("{}\"{name}\": ", indent(depth + 1)));
                    write(doc, prop, depth + 1, out);
                    out.push_str(if i + 1 < n { ",\n" } else { "\n" });
                }
                out.push_str(&indent(depth));
                out.push('}');
                return;
            }
            out.push_str(placeholder(&o.schema_type, o.format.as_ref()));
        }
        _ => out.push_str("null"),
    }
}

fn types(t: &SchemaType) -> Vec<Type> {
    match t {
        SchemaType::Type(t) => vec![t.clone()],
        SchemaType::Array(ts) => ts.clone(),
        SchemaType::AnyValue => Vec::new(),
    }
}

fn is_null(t: &SchemaType) -> bool {
    types(t) == [Type::Null]
}

fn placeholder(t: &SchemaType, format: Option<&SchemaFormat>) -> &'static str {
    let main = types(t).into_iter().find(|t| *t != Type::Null);
    match (main, format) {
        (Some(Type::String), Some(SchemaFormat::KnownFormat(KnownFormat::Date))) => {
            "\"YYYY-MM-DD\""
        }
        (Some(Type::String), _) => "\"…\"",
        (Some(Type::Integer), _) => "0",
        (Some(Type::Number), _) => "0.0",
        (Some(Type::Boolean), _) => "false",
        (Some(Type::Object), _) => "{…}",
        _ => "null",
    }
}
