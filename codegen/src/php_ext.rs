//! PHP extension: `php/ext/yunhuni.stub.php`, the declarations of the extension's internal
//! functions and class (namespace `Yunhuni\Ext`), from which PHP's own `gen_stub.php` makes
//! `php/ext/yunhuni_arginfo.h`. The extension is the C ABI seen from PHP, one function per step
//! the PHP library takes (`php/src/Native.php` calls either these or PHP's FFI): no function per
//! operation, since every operation reaches it by its name through `request()`; the version
//! below is core's.

use crate::names::{quoted, GENERATED};
use crate::Output;
use std::fmt::Write;

pub fn outputs() -> Vec<Output> {
    vec![Output {
        path: "php/ext/yunhuni.stub.php",
        text: stub(),
    }]
}

/// The functions: (docblock lines, declaration).
const FUNCTIONS: &[(&[&str], &str)] = &[
    (
        &["The version of libyunhuni the extension runs on."],
        "function version(): string {}",
    ),
    (
        &[
            "A client: credentials [app_id, cert_id, secret_key], or null for YUNHUNI_APP_ID,",
            "YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY (and YUNHUNI_BASE_URL, YUNHUNI_ACCOUNT_ID); settings",
            "by name (base_url, account_id, user_agent, proxy: string, or proxy false for none;",
            "timeout, connect_timeout: milliseconds; connect_retries, max_idle_connections), in the",
            "order given; log is called with each request's log entry (line, method, path, status,",
            "code, error, duration_ms, attempts) inside the call that sent it.",
                    ],
        "function client_new(?array $credentials, array $settings = [], ?callable $log = null): Client {}",
    ),
    (
        &[
            "[app_id, cert_id, account_id, api_root, cached] by those names. A client made without",
            "a log callable is cached: kept for the life of the process and handed to every later",
            "client_new() with the same credentials and settings, so that a PHP-FPM or Apache",
            "worker reuses its connections from one PHP request to the next.",
        ],
        "function client_info(Client $client): array {}",
    ),
    (
        &[
            "Sends the operation named $operation with $fields (string, int or bool values; the keys",
            "listed in $jsonFields hold JSON text); $timeoutMs for this call only.",
            "Returns [the answer's data as JSON text, the call id or null].",
        ],
        "function request(Client $client, string $operation, array $fields, array $jsonFields = [], ?int $timeoutMs = null): array {}",
    ),
    (
        &["[name, id or null, the body as text, the canonical view as JSON text]."],
        "function parse_event(string $body): array {}",
    ),
    (
        &[],
        "function string_to_sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body): string {}",
    ),
    (
        &[],
        "function sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body, string $secretKey): string {}",
    ),
    (
        &[
            "An IVR document's XML from its description as JSON text (actions, next, end_call;",
            "attributes by their snake_case names), once core's checks pass.",
        ],
        "function ivr_xml(string $description): string {}",
    ),
    (
        &["The canonical view (JSON text) of the query of a request to a <next> URL."],
        "function ivr_next(string $query): string {}",
    ),
    (
        &["[code, name, zh, en] by those names, or null for a code the platform does not define."],
        "function code_info(string $code): ?array {}",
    ),
    (
        &[
            "A webhook receiver: the URL token (null: none) and its query parameter (null: token),",
            "the largest body (0: 1 MiB), the in-process store when $memory (capacity and ttlMs, 0",
            "for core's defaults) else none.",
        ],
        "function webhook_receiver_new(?string $token, ?string $tokenParam, int $maxBody, bool $memory, int $capacity, int $ttlMs): Receiver {}",
    ),
    (
        &["The token in $query and the declared length ($contentLength, -1 for none), before the body is read."],
        "function webhook_check_head(Receiver $receiver, string $query, int $contentLength): void {}",
    ),
    (
        &[
            "[key, duplicate, status, body, event name, event id or null, the event's body as text,",
            "its canonical view as JSON text].",
        ],
        "function webhook_receive(Receiver $receiver, string $query, string $body): array {}",
    ),
    (
        &["Forgets a delivery's key in the receiver's store."],
        "function webhook_release(Receiver $receiver, string $key): void {}",
    ),
    (
        &["[redis_key_prefix, ttl_ms] by those names: core's constants for the stores of every language."],
        "function webhook_defaults(): array {}",
    ),
];

fn stub() -> String {
    let mut s = String::new();
    // PHP's gen_stub.php reads its options from the file's first comment, a docblock.
    let _ = writeln!(s, "<?php\n\n/**\n * {GENERATED}\n *");
    s.push_str(
        " * The internal functions of the extension yunhuni: the C ABI of libyunhuni seen from PHP, used by\n \
         * the PHP library (php/src) in place of PHP's FFI when the extension is loaded.\n *\n \
         * @generate-class-entries\n */\n\nnamespace Yunhuni\\Ext;\n\n",
    );
    let _ = writeln!(
        s,
        "/**\n * The version of core this stub was generated from.\n * @var string\n */\nconst STUB_VERSION = {};\n",
        quoted(yunhuni::VERSION)
    );
    s.push_str(
        "/**\n * A client of libyunhuni (yh_client), made by client_new(); freed with its last reference.\n \
         * @strict-properties\n * @not-serializable\n */\nfinal class Client\n{\n}\n",
    );
    s.push_str(
        "\n/**\n * A webhook receiver of libyunhuni (yh_webhook_receiver), made by webhook_receiver_new();\n \
         * freed with its last reference.\n * @strict-properties\n * @not-serializable\n */\nfinal class Receiver\n{\n}\n",
    );
    for (doc, decl) in FUNCTIONS {
        s.push('\n');
        if !doc.is_empty() {
            s.push_str("/**\n");
            for line in *doc {
                let _ = writeln!(s, " * {line}");
            }
            s.push_str(" */\n");
        }
        let _ = writeln!(s, "{decl}");
    }
    s
}
