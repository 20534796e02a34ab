//! The VRL oracle: runs programs with the `vrl` crate (what Vector's remap transform evaluates them
//! with) and answers one JSON line on stdout for each JSON line read on stdin, in order, until the
//! end of stdin.
//!
//! Requests and answers:
//!
//! ```text
//! {"program": "<vrl source>", "events": [<value>...], "timezone"?: "UTC"}
//!   → {"compile": "error", "message": "<diagnostics, as Vector prints them>"}
//!   | {"results": [ {"event": <value>, "value": <value>}
//!                 | {"error": "runtime" | "abort", "message": "..."} ]}   one per event, in order
//! {"examples": true}
//!   → {"functions": [ {"name", "category", "examples": [ {"title", "source", "input"?: <json>,
//!        "result": {"ok": "<expected, as the crate writes it>"} | {"error": "<message>"},
//!        "expected"?: <value: the "ok" text read as the crate's example tests read it>,
//!        "deterministic": bool, "skip": bool} ] } ]}   every function compiled in, sorted by name
//! anything else
//!   → {"error": "request", "message": "..."}
//! a request during which the crate panicked (e.g. an example needing files of the crate's repository)
//!   → {"error": "panic", "message": "..."}
//! ```
//!
//! Values are JSON, except what JSON cannot tell apart, written as an object with one key:
//! `{"$float": 1.0}` (a float; `"inf"`/`"-inf"` when infinite), `{"$timestamp": "<RFC 3339, UTC,
//! chrono's AutoSi precision>"}`, `{"$bytes": "<hex>"}` (bytes that are not UTF-8),
//! `{"$regex": "<pattern>"}`, and `{"$object": {...}}` (an object whose only key is one of these
//! five names). Integers are plain JSON numbers. Events use the same encoding both ways: a plain JSON
//! number in an event is an integer when it is one, else a float, as Vector's JSON decoding reads it.
//! The timezone (default "UTC") is what `parse_timestamp` and friends use when a format has no offset.

use std::io::{self, BufRead, Write};
use std::panic::{self, AssertUnwindSafe};

use serde_json::{json, Map, Number, Value as Json};
use vrl::compiler::runtime::{Runtime, Terminate};
use vrl::compiler::state::RuntimeState;
use vrl::compiler::{Function, TargetValue, TimeZone};
use vrl::diagnostic::Formatter;
use vrl::value::{KeyString, ObjectMap, Secrets, Value};

const TAGS: [&str; 5] = ["$float", "$timestamp", "$bytes", "$regex", "$object"];

fn main() {
    // Panics are answered as such (see below), so the default report on stderr is noise.
    panic::set_hook(Box::new(|_| {}));
    let functions = vrl::stdlib::all();
    let stdin = io::stdin();
    let mut stdout = io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = match line {
            Ok(line) => line,
            Err(_) => break,
        };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Json>(&line) {
            // A panic inside the crate answers this request and leaves the oracle running for the next.
            Ok(request) => match panic::catch_unwind(AssertUnwindSafe(|| answer(&request, &functions))) {
                Ok(answer) => answer,
                Err(payload) => json!({"error": "panic", "message": panic_message(payload.as_ref())}),
            },
            Err(error) => request_error(format!("not JSON: {error}")),
        };
        // A closed stdout means the asker is gone: nothing left to do.
        if writeln!(stdout, "{answer}").and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "the vrl crate panicked".to_owned()
    }
}

fn request_error(message: String) -> Json {
    json!({"error": "request", "message": message})
}

fn answer(request: &Json, functions: &[Box<dyn Function>]) -> Json {
    if request.get("examples").and_then(Json::as_bool) == Some(true) {
        return examples(functions);
    }
    let Some(program) = request.get("program").and_then(Json::as_str) else {
        return request_error("expected {\"program\": ..., \"events\": [...]} or {\"examples\": true}".into());
    };
    let events = match request.get("events") {
        None => Vec::new(),
        Some(Json::Array(events)) => events.clone(),
        Some(_) => return request_error("\"events\" must be an array".into()),
    };
    let zone_name = request.get("timezone").and_then(Json::as_str).unwrap_or("UTC");
    let Some(timezone) = TimeZone::parse(zone_name) else {
        return request_error(format!("unknown timezone {zone_name:?}"));
    };
    run(program, &events, &timezone, functions)
}

fn run(source: &str, events: &[Json], timezone: &TimeZone, functions: &[Box<dyn Function>]) -> Json {
    let compiled = match vrl::compiler::compile(source, functions) {
        Ok(compiled) => compiled,
        Err(diagnostics) => {
            let message = Formatter::new(source, diagnostics).to_string();
            return json!({"compile": "error", "message": message.trim()});
        }
    };
    let mut results = Vec::with_capacity(events.len());
    for event in events {
        let value = match decode(event) {
            Ok(value) => value,
            Err(message) => return request_error(format!("bad event: {message}")),
        };
        let mut target = TargetValue {
            value,
            metadata: Value::Object(ObjectMap::new()),
            secrets: Secrets::default(),
        };
        let mut runtime = Runtime::new(RuntimeState::default());
        let result = match runtime.resolve(&mut target, &compiled.program, timezone) {
            Ok(value) => json!({"event": encode(&target.value), "value": encode(&value)}),
            Err(Terminate::Abort(error)) => json!({"error": "abort", "message": error.to_string()}),
            Err(Terminate::Error(error)) => json!({"error": "runtime", "message": error.to_string()}),
            Err(Terminate::Interrupted) => json!({"error": "runtime", "message": "interrupted"}),
        };
        results.push(result);
    }
    json!({"results": results})
}

fn examples(functions: &[Box<dyn Function>]) -> Json {
    let mut list: Vec<&Box<dyn Function>> = functions.iter().collect();
    list.sort_by_key(|function| function.identifier());
    let functions: Vec<Json> = list
        .into_iter()
        .map(|function| {
            let examples: Vec<Json> = function
                .examples()
                .iter()
                .map(|example| {
                    let mut out = Map::new();
                    out.insert("title".into(), example.title.into());
                    out.insert("source".into(), example.source.into());
                    if let Some(input) = example.input {
                        // The crate states inputs as JSON text; pass them on parsed, or as text if not JSON.
                        let parsed = serde_json::from_str::<Json>(input).unwrap_or_else(|_| input.into());
                        out.insert("input".into(), parsed);
                    }
                    let result = match example.result {
                        Ok(expected) => {
                            out.insert("expected".into(), expected_value(expected));
                            json!({"ok": expected})
                        }
                        Err(message) => json!({"error": message}),
                    };
                    out.insert("result".into(), result);
                    out.insert("deterministic".into(), example.deterministic.into());
                    out.insert("skip".into(), example.skip.into());
                    Json::Object(out)
                })
                .collect();
            json!({"name": function.identifier(), "category": function.category(), "examples": examples})
        })
        .collect();
    json!({"functions": functions})
}

/// An example's stated result as a value, read as the crate's own example tests read it: `r'…'` a
/// regex, `t'…'` a timestamp, `s'…'` a string, else JSON (else the text itself).
fn expected_value(stated: &str) -> Json {
    let quoted = |prefix: &str| {
        stated.strip_prefix(prefix).and_then(|rest| rest.strip_suffix('\''))
    };
    if let Some(pattern) = quoted("r'") {
        return match regex::Regex::new(&pattern.replace("\\'", "'")) {
            Ok(regex) => tagged("$regex", Json::String(regex.to_string())),
            Err(_) => Json::String(stated.into()),
        };
    }
    if let Some(text) = quoted("t'") {
        return match text.parse::<chrono::DateTime<chrono::Utc>>() {
            Ok(ts) => encode(&Value::Timestamp(ts)),
            Err(_) => Json::String(stated.into()),
        };
    }
    if let Some(text) = quoted("s'") {
        return Json::String(text.into());
    }
    match serde_json::from_str::<Json>(stated.trim()) {
        Ok(json) => tag_json(json),
        Err(_) => Json::String(stated.into()),
    }
}

/// Plain JSON in this protocol's encoding: floats marked, objects that look like a mark escaped.
fn tag_json(json: Json) -> Json {
    match json {
        Json::Number(n) if !n.is_i64() => tagged("$float", Json::Number(n)),
        Json::Array(items) => Json::Array(items.into_iter().map(tag_json).collect()),
        Json::Object(map) => {
            let escape = map.len() == 1 && TAGS.contains(&map.keys().next().unwrap().as_str());
            let object = Json::Object(map.into_iter().map(|(k, v)| (k, tag_json(v))).collect());
            if escape { tagged("$object", object) } else { object }
        }
        other => other,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if text.len() % 2 != 0 {
        return Err(format!("odd-length hex {text:?}"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|e| format!("bad hex {text:?}: {e}")))
        .collect()
}

fn tagged(tag: &str, value: Json) -> Json {
    let mut map = Map::new();
    map.insert(tag.into(), value);
    Json::Object(map)
}

fn encode(value: &Value) -> Json {
    match value {
        Value::Bytes(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Json::String(text.to_owned()),
            Err(_) => tagged("$bytes", Json::String(hex(bytes))),
        },
        Value::String(text) => Json::String(text.to_string()),
        Value::Regex(regex) => tagged("$regex", Json::String(regex.as_str().to_owned())),
        Value::Integer(n) => Json::Number((*n).into()),
        Value::Float(f) => {
            let f = f.into_inner();
            let number = Number::from_f64(f).map(Json::Number).unwrap_or_else(|| {
                Json::String(if f > 0.0 { "inf" } else { "-inf" }.into())
            });
            tagged("$float", number)
        }
        Value::Boolean(b) => Json::Bool(*b),
        Value::Timestamp(ts) => tagged(
            "$timestamp",
            Json::String(ts.to_rfc3339_opts(chrono_seconds_auto(), true)),
        ),
        Value::Object(map) => {
            let object: Map<String, Json> = map.iter().map(|(k, v)| (k.to_string(), encode(v))).collect();
            if object.len() == 1 && TAGS.contains(&object.keys().next().unwrap().as_str()) {
                tagged("$object", Json::Object(object))
            } else {
                Json::Object(object)
            }
        }
        Value::Array(items) => Json::Array(items.iter().map(encode).collect()),
        Value::Null => Json::Null,
    }
}

fn chrono_seconds_auto() -> chrono::SecondsFormat {
    chrono::SecondsFormat::AutoSi
}

fn decode(json: &Json) -> Result<Value, String> {
    Ok(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::from_f64_or_zero(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::Array(items.iter().map(decode).collect::<Result<_, _>>()?),
        Json::Object(map) => {
            if map.len() == 1 {
                let (key, inner) = map.iter().next().unwrap();
                match (key.as_str(), inner) {
                    ("$float", Json::Number(n)) => return Ok(Value::from_f64_or_zero(n.as_f64().unwrap_or(0.0))),
                    ("$float", Json::String(s)) if s == "inf" || s == "-inf" => {
                        let f = if s == "inf" { f64::INFINITY } else { f64::NEG_INFINITY };
                        return Ok(Value::from_f64_or_zero(f));
                    }
                    ("$timestamp", Json::String(s)) => {
                        let ts = chrono::DateTime::parse_from_rfc3339(s)
                            .map_err(|e| format!("bad $timestamp {s:?}: {e}"))?;
                        return Ok(Value::Timestamp(ts.with_timezone(&chrono::Utc)));
                    }
                    ("$bytes", Json::String(s)) => return Ok(Value::Bytes(unhex(s)?.into())),
                    ("$regex", Json::String(s)) => {
                        let regex = regex::Regex::new(s).map_err(|e| format!("bad $regex {s:?}: {e}"))?;
                        return Ok(Value::from(regex));
                    }
                    ("$object", Json::Object(inner)) => return decode_object(inner),
                    _ => {}
                }
            }
            decode_object(map)?
        }
    })
}

fn decode_object(map: &Map<String, Json>) -> Result<Value, String> {
    let mut object = ObjectMap::new();
    for (key, value) in map {
        object.insert(KeyString::from(key.as_str()), decode(value)?);
    }
    Ok(Value::Object(object))
}
