//! Sending consent records (docs/contracts.md §6). Each decision's record is written to
//! localStorage first (`sekisho:record:<clientTime>:<recordId>`, one key a record: tabs never
//! overwrite each other), then POSTed to the config's `sync.endpoint` — `text/plain` (no CORS
//! preflight), `keepalive`, no credentials — one at a time, oldest first. A record leaves the
//! queue when the server has answered for it: stored (2xx), or refused for good (4xx but 408 and
//! 429: a console error says why). Anything else (offline, 5xx, 429) keeps it, and the queue is
//! tried again after a growing delay (2 s doubling to 5 min), when the browser comes back
//! online, and on the next page. On `pagehide` what is still queued goes by `sendBeacon` too, and
//! stays queued: the server stores a `recordId` once, so a record sent twice is stored once.
//!
//! One tab sends at a time: the Web Locks API (`sekisho-records`, if available), else a short
//! lease in localStorage.

use std::cell::Cell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const PREFIX: &str = "sekisho:record:";
const LEASE: &str = "sekisho:records-lease";
/// The most records kept waiting.
const MAX_QUEUED: u32 = 1000;

thread_local! {
    static ENDPOINT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    static SENDING: Cell<bool> = const { Cell::new(false) };
    static RETRY_MS: Cell<u32> = const { Cell::new(0) };
    static RETRY_SET: Cell<bool> = const { Cell::new(false) };
}

/// Starts syncing to `endpoint`: what earlier pages left is sent now.
pub fn start(endpoint: String) -> Result<(), JsValue> {
    ENDPOINT.with(|e| e.replace(Some(endpoint)));
    let window = web_sys::window().ok_or("no window")?;
    let online = Closure::<dyn FnMut()>::new(|| {
        RETRY_MS.with(|r| r.set(0));
        flush();
    });
    window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref())?;
    online.forget();
    let pagehide = Closure::<dyn FnMut()>::new(beacon_all);
    window.add_event_listener_with_callback("pagehide", pagehide.as_ref().unchecked_ref())?;
    pagehide.forget();
    flush();
    Ok(())
}

/// Queues a record (JSON text) and sends what is queued.
pub fn queue(record_id: &str, client_time: u64, json: &str) -> Result<(), JsValue> {
    let storage = storage().ok_or("no localStorage: the record cannot be kept")?;
    if keys(&storage).len() as u32 >= MAX_QUEUED {
        return Err(format!("{MAX_QUEUED} records are waiting to be sent already").into());
    }
    let key = [PREFIX, &format!("{client_time:015}"), ":", record_id].concat();
    storage.set_item(&key, json)?;
    flush();
    Ok(())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The queued records' keys.
fn keys(storage: &web_sys::Storage) -> Vec<String> {
    let n = storage.length().unwrap_or(0);
    (0..n)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect()
}

/// The oldest queued record's key (keys begin with the decision's time). (A minimum, not a
/// sort: the module does without sorting code.)
fn oldest(storage: &web_sys::Storage) -> Option<String> {
    keys(storage).into_iter().min()
}

fn endpoint() -> Option<String> {
    ENDPOINT.with(|e| e.borrow().clone())
}

/// Sends the queue, if this tab may (one tab at a time) and is not sending already.
fn flush() {
    if SENDING.with(|s| s.replace(true)) {
        return;
    }
    let Some(storage) = storage().filter(|s| !keys(s).is_empty()) else {
        SENDING.with(|s| s.set(false));
        return;
    };
    let locks = web_sys::window()
        .map(|w| Reflect::get(&w.navigator(), &"locks".into()).unwrap_or(JsValue::UNDEFINED))
        .filter(|l| l.is_object());
    match locks {
        Some(locks) => {
            // The lock is held until the promise returned here settles.
            let with_lock = Closure::once_into_js(move |lock: JsValue| -> JsValue {
                if lock.is_null() {
                    finished(false, true); // another tab is sending
                    return js_sys::Promise::resolve(&JsValue::UNDEFINED).into();
                }
                let (done, resolve) = promise();
                send_next(storage, false, resolve);
                done.into()
            });
            let options = Object::new();
            let _ = Reflect::set(&options, &"ifAvailable".into(), &true.into());
            let request = Reflect::get(&locks, &"request".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            let asked =
                request.map(|f| f.call3(&locks, &"sekisho-records".into(), &options, &with_lock));
            if !matches!(asked, Some(Ok(_))) {
                SENDING.with(|s| s.set(false));
            }
        }
        None => {
            if !take_lease(&storage) {
                finished(false, true);
                return;
            }
            send_next(storage, false, JsValue::UNDEFINED);
        }
    }
}

/// A promise and its `resolve`.
fn promise() -> (js_sys::Promise, JsValue) {
    let mut resolve = JsValue::UNDEFINED;
    let p = js_sys::Promise::new(&mut |res, _| resolve = res.into());
    (p, resolve)
}

/// The localStorage lease (no Web Locks): 15 s, renewed as records go.
fn take_lease(storage: &web_sys::Storage) -> bool {
    // (Whole milliseconds: formatting a float would bring its formatter into the module.)
    let now = js_sys::Date::now() as u64;
    let held_until = storage
        .get_item(LEASE)
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if held_until > now {
        return false;
    }
    storage.set_item(LEASE, &(now + 15_000).to_string()).is_ok()
}

/// Sends the oldest queued record, then the next, until none is left or one cannot be sent.
fn send_next(storage: web_sys::Storage, failed: bool, done: JsValue) {
    let (Some(key), Some(url)) = (oldest(&storage), endpoint()) else {
        return stop(&storage, done, failed);
    };
    let body = match storage.get_item(&key) {
        Ok(Some(body)) => body,
        Ok(None) => return send_next(storage, failed, done), // gone meanwhile: the next oldest
        Err(_) => return stop(&storage, done, true),
    };
    let (storage2, done2) = (storage.clone(), done.clone());
    let on_answer = move |response: JsValue| {
        let status = Reflect::get(&response, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .unwrap_or(0.0) as u16;
        let refused = (400..500).contains(&status) && status != 408 && status != 429;
        if refused {
            super::error(
                &[
                    "the server refused a consent record for good (HTTP ",
                    &status.to_string(),
                    "); it is dropped: ",
                    key.trim_start_matches(PREFIX),
                ]
                .concat(),
            );
        }
        if (200..300).contains(&status) || refused {
            let _ = storage2.remove_item(&key);
            send_next(storage2, failed, done2);
        } else {
            // Kept, and the round ends: the records behind it wait, in order.
            stop(&storage2, done2, true);
        }
    };
    let on_error = move |_: JsValue| stop(&storage, done, true);
    match post(&url, &body) {
        Ok(sent) => then(&sent, on_answer, on_error),
        Err(_) => on_error(JsValue::UNDEFINED),
    }
}

/// The round is over: the lock or lease is let go, and the next round is set.
fn stop(storage: &web_sys::Storage, done: JsValue, failed: bool) {
    let _ = storage.remove_item(LEASE);
    if let Ok(resolve) = done.dyn_into::<Function>() {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
    finished(failed, false);
}

/// `fetch(url, {method: "POST", body, keepalive, credentials: "omit"})`, `text/plain`.
fn post(url: &str, body: &str) -> Result<JsValue, JsValue> {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &"fetch".into())?.dyn_into()?;
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &"POST".into())?;
    Reflect::set(&init, &"body".into(), &body.into())?;
    Reflect::set(&init, &"keepalive".into(), &true.into())?;
    Reflect::set(&init, &"credentials".into(), &"omit".into())?;
    Reflect::set(&init, &"cache".into(), &"no-store".into())?;
    let headers = Object::new();
    Reflect::set(
        &headers,
        &"content-type".into(),
        &"text/plain;charset=UTF-8".into(),
    )?;
    Reflect::set(&init, &"headers".into(), &headers)?;
    // A server that never answers must not hold the queue (and the lock) for good.
    if let Ok(timeout) = Reflect::get(&global, &"AbortSignal".into())
        .and_then(|a| Reflect::get(&a, &"timeout".into()))
        .and_then(|f| f.dyn_into::<Function>())
    {
        if let Ok(signal) = timeout.call1(&JsValue::UNDEFINED, &15_000.into()) {
            Reflect::set(&init, &"signal".into(), &signal)?;
        }
    }
    fetch.call2(&global, &url.into(), &init)
}

/// `promise.then(ok, err)`.
fn then(
    promise: &JsValue,
    ok: impl FnOnce(JsValue) + 'static,
    err: impl FnOnce(JsValue) + 'static,
) {
    let then = Reflect::get(promise, &"then".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(then) = then {
        let _ = then.call2(
            promise,
            &Closure::once_into_js(ok),
            &Closure::once_into_js(err),
        );
    }
}

/// A round is over: try again later when a record could not be sent (or another tab is
/// sending), after a growing delay.
fn finished(failed: bool, busy: bool) {
    SENDING.with(|s| s.set(false));
    if !failed && !busy {
        RETRY_MS.with(|r| r.set(0));
        return;
    }
    if RETRY_SET.with(|r| r.replace(true)) {
        return;
    }
    let delay = RETRY_MS.with(|r| {
        let next = if busy {
            5_000
        } else {
            (r.get().max(1_000) * 2).min(300_000)
        };
        r.set(next);
        next
    });
    let again = Closure::once_into_js(|| {
        RETRY_SET.with(|r| r.set(false));
        flush();
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            again.unchecked_ref(),
            delay as i32,
        );
    }
}

/// The page is going: what is queued goes by `sendBeacon` (and stays queued: the next page
/// sends it again unless the server has it, and stores it once).
fn beacon_all() {
    let (Some(storage), Some(url), Some(window)) = (storage(), endpoint(), web_sys::window())
    else {
        return;
    };
    let navigator = window.navigator();
    let Ok(beacon) =
        Reflect::get(&navigator, &"sendBeacon".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return;
    };
    for key in keys(&storage) {
        if let Some(body) = storage.get_item(&key).ok().flatten() {
            let _ = beacon.call2(&navigator, &url.as_str().into(), &body.into());
        }
    }
}

/// `sekisho.identify(token)`: asks the server for the member's latest record (`GET
/// …/subjects/latest`, the token as bearer) and adopts its choice when it comes from another
/// browser and is newer than this one's; else, when this browser's choice is not yet the
/// member's latest, links it with a `link` record. (Records made from now on carry the token.)
pub fn identify(token: String) -> Result<(), JsValue> {
    let endpoint = endpoint().ok_or("no sync endpoint")?;
    let base = endpoint.strip_suffix("/records").ok_or(
        "sync.endpoint does not end in /records: the member's latest choice cannot be asked for",
    )?;
    let origin = web_sys::window().ok_or("no window")?.location().origin()?;
    let url = [
        base,
        "/subjects/latest?site=",
        &String::from(js_sys::encode_uri_component(&origin)),
    ]
    .concat();
    let init = Object::new();
    Reflect::set(&init, &"credentials".into(), &"omit".into())?;
    Reflect::set(&init, &"cache".into(), &"no-store".into())?;
    let headers = Object::new();
    Reflect::set(
        &headers,
        &"authorization".into(),
        &["Bearer ", &token].concat().into(),
    )?;
    Reflect::set(&init, &"headers".into(), &headers)?;
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &"fetch".into())?.dyn_into()?;
    let asked = fetch.call2(&global, &url.into(), &init)?;
    then(
        &asked,
        move |response: JsValue| {
            let status = Reflect::get(&response, &"status".into())
                .ok()
                .and_then(|s| s.as_f64())
                .unwrap_or(0.0);
            if status == 404.0 {
                return super::link_or_adopt(None, &token);
            }
            let json = Reflect::get(&response, &"json".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .and_then(|f| f.call0(&response).ok());
            match (status == 200.0, json) {
                (true, Some(remote)) => then(
                    &remote,
                    move |remote| super::link_or_adopt(Some(remote), &token),
                    |_| super::error("identify(): the member's latest record was not JSON"),
                ),
                _ => {
                    if status == 401.0 || status == 403.0 {
                        // A token the server does not take: records go without it, not refused.
                        super::forget_subject(&token);
                    }
                    super::error(
                        &[
                            "identify(): the server did not give the member's latest record (HTTP ",
                            &(status as u16).to_string(),
                            "): records are sent without the member",
                        ]
                        .concat(),
                    )
                }
            }
        },
        |_| super::error("identify(): the server could not be reached"),
    );
    Ok(())
}
