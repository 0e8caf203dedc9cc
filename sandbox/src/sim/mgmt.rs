//! The management family's state (platform notes 2 §5, §1.3): every sub-account, its
//! certificate, callback URL, enabled flag and quotas, and the numbers the accounts rent.
//!
//! Sub-accounts given at start (the default one, [`crate::SandboxBuilder::sub_account`]) are
//! the first entries, in their order, so that an index stays the same for the whole run; those
//! made through the API are appended. A deleted sub-account keeps its entry (the platform
//! deletes logically) but is found by no lookup: its certificate is unknown to the gateway
//! (`Bad credentials`) and its id to the API (`000002`).
//!
//! Quotas are stored as the platform stores them: `CallQuota` in seconds (the API's minutes
//! × 60), the others as given, `-1` for unlimited. Call usage is billed as the platform bills a
//! call record (`CalCostServiceImpl.callConsumeCal`): every answered leg counts its talk time
//! plus one second, rounded up to the billing unit. The unit is a price setting of the
//! platform's database, not of its code; the sandbox takes one minute.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::business::{java_blank, AppSettings};
use crate::config::Credentials;
use crate::sim::{lock, read, write, Shared};

/// The quota types the platform knows (`CertAccountQuotaType`), in its order.
pub(crate) const QUOTA_TYPES: [&str; 4] = ["CallQuota", "AgentQuota", "SmsQuota", "UssdQuota"];
/// The call-duration quota.
pub(crate) const CALL_QUOTA: &str = "CallQuota";
/// Seconds per billing unit of a call.
pub(crate) const BILLING_UNIT_S: i64 = 60;

/// Number resource ids of the default account's rented numbers.
const DEV_TELNUM_IDS: [&str; 3] = [
    "7e1a0c5d3b2f4a6e9c8d0b1a2f000001",
    "7e1a0c5d3b2f4a6e9c8d0b1a2f000002",
    "7e1a0c5d3b2f4a6e9c8d0b1a2f000003",
];
/// The default account's rented numbers: the first two are in the default app, the third in
/// no app yet.
pub(crate) const DEV_TELNUMS: [&str; 3] = ["02088880000", "02088880001", "02088880002"];

/// One quota row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Quota {
    pub(crate) kind: String,
    /// As stored: seconds for `CallQuota`; `-1` unlimited.
    pub(crate) value: i64,
}

/// A sub-account as the platform stores it.
#[derive(Debug, Clone)]
pub(crate) struct Sub {
    pub(crate) id: String,
    pub(crate) app_id: String,
    /// The owning primary account's cert id (the sandbox's tenant key).
    pub(crate) tenant: String,
    pub(crate) parent_id: String,
    pub(crate) cert_id: String,
    pub(crate) secret_key: String,
    pub(crate) callback_url: Option<String>,
    /// `1` enabled; `0` or null (an update without `enabled`) disabled.
    pub(crate) enabled: Option<i32>,
    pub(crate) remark: Option<String>,
    pub(crate) quotas: Vec<Quota>,
    pub(crate) deleted: bool,
    /// Billed seconds of its calls so far.
    pub(crate) call_used_s: i64,
}

/// A rented number (`ResourceTelenum` with its rent record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Telnum {
    pub(crate) id: String,
    pub(crate) telnum: String,
    /// The renting account's cert id.
    pub(crate) tenant: String,
    pub(crate) app_id: Option<String>,
    pub(crate) subaccount_id: Option<String>,
}

/// What the gateway needs of a sub-account certificate.
#[derive(Debug, Clone)]
pub(crate) struct SubAuth {
    pub(crate) index: usize,
    pub(crate) secret_key: String,
    pub(crate) enabled: bool,
    pub(crate) app_id: String,
    pub(crate) tenant: String,
}

#[derive(Debug, Default)]
struct Inner {
    subs: Vec<Sub>,
    /// Live (not deleted) sub-accounts by cert id and by id.
    by_cert: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    /// Oldest rent first.
    telnums: Vec<Telnum>,
}

/// The management store, shared by the gateway, the API and the call engine.
#[derive(Debug, Default)]
pub(crate) struct Store {
    inner: RwLock<Inner>,
}

impl Store {
    /// The store at start: the configured sub-accounts (each with the default `CallQuota`
    /// row, unlimited) and the default account's numbers.
    pub(crate) fn new(credentials: &Credentials) -> Store {
        let mut inner = Inner::default();
        for sub in &credentials.sub_accounts {
            let tenant = credentials
                .app(&sub.app_id)
                .map(|a| a.cert_id.clone())
                .unwrap_or_default();
            inner.add(Sub {
                id: sub.id.clone(),
                app_id: sub.app_id.clone(),
                parent_id: tenant.clone(),
                tenant,
                cert_id: sub.cert_id.clone(),
                secret_key: sub.secret_key.clone(),
                callback_url: sub.callback_url.clone(),
                enabled: Some(i32::from(sub.enabled)),
                remark: None,
                quotas: vec![Quota {
                    kind: CALL_QUOTA.into(),
                    value: -1,
                }],
                deleted: false,
                call_used_s: 0,
            });
        }
        if let Some(app) = credentials.apps.first() {
            for (i, (id, number)) in DEV_TELNUM_IDS.iter().zip(DEV_TELNUMS).enumerate() {
                inner.telnums.push(Telnum {
                    id: (*id).into(),
                    telnum: number.into(),
                    tenant: app.cert_id.clone(),
                    app_id: (i < 2).then(|| app.app_id.clone()),
                    subaccount_id: None,
                });
            }
        }
        Store {
            inner: RwLock::new(inner),
        }
    }

    /// A live sub-account by its certificate id.
    pub(crate) fn by_cert(&self, cert_id: &str) -> Option<SubAuth> {
        let inner = read(&self.inner);
        let index = *inner.by_cert.get(cert_id)?;
        let sub = &inner.subs[index];
        Some(SubAuth {
            index,
            secret_key: sub.secret_key.clone(),
            enabled: sub.enabled == Some(1),
            app_id: sub.app_id.clone(),
            tenant: sub.tenant.clone(),
        })
    }

    /// The id of the sub-account at `index` (deleted or not).
    pub(crate) fn id_of(&self, index: usize) -> Option<String> {
        read(&self.inner).subs.get(index).map(|s| s.id.clone())
    }

    /// The callback URL of the sub-account at `index` now.
    pub(crate) fn callback_url_of(&self, index: usize) -> Option<String> {
        read(&self.inner)
            .subs
            .get(index)
            .and_then(|s| s.callback_url.clone())
    }

    /// Whether the sub-account's call quota refuses a new call
    /// (`CertAccountQuotaServiceImpl.isCallQuotaEnough`: need 0, refused once used > value).
    pub(crate) fn call_quota_exceeded(&self, index: usize) -> bool {
        let inner = read(&self.inner);
        let Some(sub) = inner.subs.get(index) else {
            return false;
        };
        sub.quotas
            .iter()
            .find(|q| q.kind == CALL_QUOTA)
            .is_some_and(|q| q.value >= 0 && q.value - sub.call_used_s < 0)
    }

    /// Adds a call's billed time to its sub-account's usage: each answered leg's talk time
    /// (from its answer to `end_ms`, whole seconds) plus one second, rounded up to the unit.
    pub(crate) fn charge_call(&self, subaccount_id: &str, answers_ms: &[Option<i64>], end_ms: i64) {
        let billed: i64 = answers_ms
            .iter()
            .flatten()
            .map(|&answer| {
                let talk = (end_ms - answer).max(0) / 1000 + 1;
                (talk + BILLING_UNIT_S - 1) / BILLING_UNIT_S * BILLING_UNIT_S
            })
            .sum();
        if billed == 0 {
            return;
        }
        let mut inner = write(&self.inner);
        if let Some(&i) = inner.by_id.get(subaccount_id) {
            inner.subs[i].call_used_s += billed;
        }
    }

    /// A copy of a live sub-account.
    pub(crate) fn get(&self, id: &str) -> Option<Sub> {
        let inner = read(&self.inner);
        inner.by_id.get(id).map(|&i| inner.subs[i].clone())
    }

    /// The live sub-accounts of an app, oldest first.
    pub(crate) fn of_app(&self, app_id: &str) -> Vec<Sub> {
        read(&self.inner)
            .subs
            .iter()
            .filter(|s| !s.deleted && s.app_id == app_id)
            .cloned()
            .collect()
    }

    /// Adds a sub-account made through the API.
    pub(crate) fn create(&self, sub: Sub) {
        write(&self.inner).add(sub);
    }

    /// Writes an update: callback URL and enabled flag as sent (the remark is not saved).
    /// `false` for an unknown or deleted id.
    pub(crate) fn update(
        &self,
        id: &str,
        callback_url: Option<String>,
        enabled: Option<i32>,
    ) -> bool {
        let mut inner = write(&self.inner);
        let Some(&i) = inner.by_id.get(id) else {
            return false;
        };
        let sub = &mut inner.subs[i];
        sub.callback_url = callback_url;
        sub.enabled = enabled;
        true
    }

    /// Deletes a sub-account logically; when it belongs to the caller's tenant and app, its
    /// numbers there are unbound first. `false` for an unknown or deleted id.
    pub(crate) fn delete(&self, id: &str, tenant: &str, app_id: &str) -> bool {
        let mut inner = write(&self.inner);
        let Some(i) = inner.by_id.remove(id) else {
            return false;
        };
        let (cert, owned) = {
            let sub = &mut inner.subs[i];
            sub.deleted = true;
            (
                sub.cert_id.clone(),
                sub.tenant == tenant && sub.app_id == app_id,
            )
        };
        inner.by_cert.remove(&cert);
        if owned {
            for n in &mut inner.telnums {
                if n.tenant == tenant
                    && n.app_id.as_deref() == Some(app_id)
                    && n.subaccount_id.as_deref() == Some(id)
                {
                    n.subaccount_id = None;
                }
            }
        }
        true
    }

    /// A live sub-account's index and whether it is enabled.
    pub(crate) fn live(&self, id: &str) -> Option<(usize, bool)> {
        let inner = read(&self.inner);
        inner
            .by_id
            .get(id)
            .map(|&i| (i, inner.subs[i].enabled == Some(1)))
    }

    /// The sub-account a rented number is bound to (a non-blank binding), if any.
    pub(crate) fn subaccount_of_number(&self, telnum: &str) -> Option<String> {
        read(&self.inner)
            .telnums
            .iter()
            .find(|n| n.telnum == telnum)
            .and_then(|n| n.subaccount_id.clone())
            .filter(|s| !java_blank(s))
    }

    /// Updates the existing quota rows of the given types (`updateQuota`: by sub-account id
    /// and type, deleted or not, no row no change).
    pub(crate) fn set_quotas(&self, id: &str, quotas: &[Quota]) {
        let mut inner = write(&self.inner);
        for sub in inner.subs.iter_mut().filter(|s| s.id == id) {
            for q in quotas {
                for row in sub.quotas.iter_mut().filter(|r| r.kind == q.kind) {
                    row.value = q.value;
                }
            }
        }
    }

    /// Every rented number of a tenant, newest rent first.
    pub(crate) fn telnums_of(&self, tenant: &str) -> Vec<Telnum> {
        read(&self.inner)
            .telnums
            .iter()
            .rev()
            .filter(|n| n.tenant == tenant)
            .cloned()
            .collect()
    }

    /// Binds a number to a sub-account as `ResourcesRentServiceImpl.bindNumToAppOrSubAccount`
    /// does. `Err` when the number is not the tenant's or is in another app.
    pub(crate) fn bind(
        &self,
        number_id: &str,
        tenant: &str,
        app_id: &str,
        subaccount_id: &str,
    ) -> Result<(), ()> {
        let mut inner = write(&self.inner);
        let Some(n) = inner.telnums.iter_mut().find(|n| n.id == number_id) else {
            return Err(());
        };
        if n.tenant != tenant {
            return Err(());
        }
        match n.app_id.as_deref() {
            Some(app) if app == app_id => {
                let blank = |s: &Option<String>| s.as_deref().is_none_or(java_blank);
                if blank(&n.subaccount_id) && !java_blank(subaccount_id) {
                    n.subaccount_id = Some(subaccount_id.to_owned());
                }
                Ok(())
            }
            Some(_) => Err(()),
            None => {
                n.app_id = Some(app_id.to_owned());
                n.subaccount_id = Some(subaccount_id.to_owned());
                Ok(())
            }
        }
    }

    /// Clears a binding when tenant, app and sub-account all match (`subaccountUnbindNum`).
    /// `Err` for an unknown number id.
    pub(crate) fn unbind(
        &self,
        number_id: &str,
        tenant: &str,
        app_id: &str,
        subaccount_id: &str,
    ) -> Result<(), ()> {
        let mut inner = write(&self.inner);
        let Some(n) = inner.telnums.iter_mut().find(|n| n.id == number_id) else {
            return Err(());
        };
        if n.tenant == tenant
            && n.app_id.as_deref() == Some(app_id)
            && n.subaccount_id.as_deref() == Some(subaccount_id)
        {
            n.subaccount_id = None;
        }
        Ok(())
    }
}

impl Inner {
    fn add(&mut self, sub: Sub) {
        let i = self.subs.len();
        self.by_cert.insert(sub.cert_id.clone(), i);
        self.by_id.insert(sub.id.clone(), i);
        self.subs.push(sub);
    }
}

impl Shared {
    /// The business settings of an app as a caller's calls meet them: a sub-account whose
    /// `CallQuota` is used up sees its quota exhausted (`010006` at the quota's turn of the
    /// call and conference services' checks).
    pub(crate) fn app_settings_for(&self, app_id: &str, subaccount: Option<usize>) -> AppSettings {
        let mut settings = self.app_settings_of(app_id);
        if subaccount.is_some_and(|i| self.mgmt.call_quota_exceeded(i)) {
            settings.quota_exhausted = true;
        }
        settings
    }

    /// A new random 32-hex id (sub-account ids, certificate ids and secret keys).
    pub(crate) fn new_hex_id(&self) -> String {
        lock(&self.engine).ids.next()
    }
}
