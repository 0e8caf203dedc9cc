//! Credentials: applications, their owning accounts and sub-accounts.

use std::collections::HashMap;
use std::io;

/// AppID of the default development application.
pub const DEV_APP_ID: &str = "b0a5d1e5a2c64f0e9a7e3c1d5f000001";
/// CertID of the default development account; it is also the account id used in API paths.
pub const DEV_CERT_ID: &str = "c3e7a9f1d2b44e8c8a6b1f0e2d000001";
/// Secret key of the default development account.
pub const DEV_SECRET_KEY: &str = "5d8f2a7c9e1b4d6fa3c0e8b7d9000001";
/// Id of the default sub-account (it appears as `subaccount_id` in its calls' events).
pub const DEV_SUB_ACCOUNT_ID: &str = "5ab0c0d1e2f34a5b6c7d8e9f00000002";
/// CertID of the default sub-account.
pub const DEV_SUB_CERT_ID: &str = "c3e7a9f1d2b44e8c8a6b1f0e2d000002";
/// Secret key of the default sub-account.
pub const DEV_SUB_SECRET_KEY: &str = "5d8f2a7c9e1b4d6fa3c0e8b7d9000002";

/// An application and the primary account (tenant) that owns it.
///
/// Several applications may share one account: give them the same `cert_id` and
/// `secret_key`. Requests signed with the account's certificate may use any of its
/// applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// The application id, sent in the `AppID` header.
    pub app_id: String,
    /// The owning account's certificate id, sent in the `CertID` header.
    pub cert_id: String,
    /// The owning account's secret key.
    pub secret_key: String,
    /// Where this application's events are POSTed; `None` or blank sends no events.
    pub callback_url: Option<String>,
}

/// A sub-account: its own certificate, limited to one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAccount {
    /// The sub-account id, reported as `subaccount_id` in the events of its calls.
    pub id: String,
    /// The one application this sub-account may call.
    pub app_id: String,
    /// The sub-account's certificate id, sent in the `CertID` header.
    pub cert_id: String,
    /// The sub-account's secret key.
    pub secret_key: String,
    /// A disabled sub-account is refused with `HTTP Status 401 - 子账号被禁用`.
    pub enabled: bool,
    /// The sub-account's own event URL; when `None` or blank, the application's URL is used.
    pub callback_url: Option<String>,
}

/// What a `CertID` refers to.
#[derive(Debug, Clone)]
pub(crate) enum Certificate {
    /// A primary account; the value is its tenant key (the cert id itself).
    Primary { secret_key: String },
    /// A sub-account given at start; its state lives in the management store, which the
    /// gateway asks.
    Sub,
}

/// The sandbox's credential store, fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) apps: Vec<App>,
    pub(crate) sub_accounts: Vec<SubAccount>,
    certs: HashMap<String, Certificate>,
    app_index: HashMap<String, usize>,
}

impl Credentials {
    /// Builds the store; the first app is the default one. Fails on conflicting definitions.
    pub(crate) fn new(apps: Vec<App>, sub_accounts: Vec<SubAccount>) -> io::Result<Self> {
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
        let mut certs = HashMap::new();
        let mut app_index = HashMap::new();
        for (i, app) in apps.iter().enumerate() {
            if app.app_id.is_empty() || app.cert_id.is_empty() || app.secret_key.is_empty() {
                return Err(invalid(format!(
                    "app {:?}: ids and secret must not be empty",
                    app.app_id
                )));
            }
            if app_index.insert(app.app_id.clone(), i).is_some() {
                return Err(invalid(format!("app {:?} is defined twice", app.app_id)));
            }
            match certs.get(&app.cert_id) {
                None => {
                    certs.insert(
                        app.cert_id.clone(),
                        Certificate::Primary {
                            secret_key: app.secret_key.clone(),
                        },
                    );
                }
                Some(Certificate::Primary { secret_key }) if *secret_key == app.secret_key => {}
                Some(_) => {
                    return Err(invalid(format!(
                        "cert id {:?} is given two different secret keys",
                        app.cert_id
                    )))
                }
            }
        }
        for sub in &sub_accounts {
            if sub.cert_id.is_empty() || sub.secret_key.is_empty() || sub.id.is_empty() {
                return Err(invalid(format!(
                    "sub-account {:?}: ids and secret must not be empty",
                    sub.id
                )));
            }
            if !app_index.contains_key(&sub.app_id) {
                return Err(invalid(format!(
                    "sub-account {:?} belongs to unknown app {:?}",
                    sub.id, sub.app_id
                )));
            }
            if certs
                .insert(sub.cert_id.clone(), Certificate::Sub)
                .is_some()
            {
                return Err(invalid(format!("cert id {:?} is used twice", sub.cert_id)));
            }
        }
        Ok(Credentials {
            apps,
            sub_accounts,
            certs,
            app_index,
        })
    }

    pub(crate) fn certificate(&self, cert_id: &str) -> Option<&Certificate> {
        self.certs.get(cert_id)
    }

    pub(crate) fn app(&self, app_id: &str) -> Option<&App> {
        self.app_index.get(app_id).map(|&i| &self.apps[i])
    }
}
