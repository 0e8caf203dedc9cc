//! `ivr.Response`'s native half and `parseIvrNext`: core's IVR builder and request parser,
//! converted.
//!
//! `ivr.js` (generated from core's `ELEMENTS`) keeps a document as its neutral description
//! (`{ actions: [{ name, attrs, text, children }], next, endCall }`, attribute names in
//! camelCase); core reads it with its one generic builder and checks every rule when it is
//! written, naming attributes in camelCase (`get.maxKeys`).

use crate::error::{JsError, OrThrow};
use crate::events::camel_view;
use crate::fields::json;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use yunhuni::ivr::{IvrNext, Response};
use yunhuni::ops::Casing;

type R<T> = std::result::Result<T, JsError>;

fn read(description: Option<Unknown>) -> R<Response> {
    let value = match description {
        Some(d) => json(d, "response", 0)?,
        None => serde_json::Value::Null,
    };
    Response::from_value(&value, Casing::Camel).map_err(JsError::renamed)
}

/// The XML of a document given by its description: the bytes to answer the platform with.
#[napi(catch_unwind, js_name = "__ivrXml")]
pub fn ivr_xml(env: &Env, description: Option<Unknown>) -> Result<String> {
    let write = || -> R<String> {
        read(description)?
            .to_xml_cased(Casing::Camel)
            .map_err(JsError::renamed)
    };
    write().or_throw(env)
}

/// Checks a document given by its description, as `__ivrXml` does, without writing it.
#[napi(catch_unwind, js_name = "__ivrValidate")]
pub fn ivr_validate(env: &Env, description: Option<Unknown>) -> Result<()> {
    let check = || -> R<()> {
        read(description)?
            .validate_cased(Casing::Camel)
            .map_err(JsError::renamed)
    };
    check().or_throw(env)
}

/// Parses the query of the request the platform sends to a `<next>` URL (a string, `Buffer`
/// or `Uint8Array`: the query alone, or the request target or URL it ends) into the JSON text
/// of core's canonical view, keys in camelCase, which `index.js` hands to `JSON.parse`.
#[napi(catch_unwind, js_name = "__parseIvrNext")]
pub fn parse_ivr_next(env: &Env, query: Option<Unknown>) -> Result<String> {
    let parse = || -> R<String> {
        let query = crate::events::bytes("query", query, true)?;
        let next = IvrNext::parse(&query).map_err(JsError::renamed)?;
        Ok(camel_view(next.to_value()).to_string())
    };
    parse().or_throw(env)
}
