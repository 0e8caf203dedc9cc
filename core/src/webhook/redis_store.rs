//! The Redis dedup store (cargo feature `redis`).

use super::{
    Claim, Store, DEFAULT_TTL, MAX_TTL, REDIS_CLAIM_SCRIPT, REDIS_COMPLETE_SCRIPT,
    REDIS_KEY_PREFIX, REDIS_RELEASE_SCRIPT, REDIS_RENEW_SCRIPT,
};
use crate::error::{escape_text, Error, ErrorKind};
use std::sync::Mutex;
use std::time::Duration;

/// Remembers delivery keys in Redis, so that every process (and machine) of an application
/// shares what was seen: `SET yunhuni:webhook:<key> 1 NX PX <ttl>` claims a key atomically,
/// `DEL` releases it; under a lease ([`super::Receiver::begin`]) core's scripts
/// ([`REDIS_CLAIM_SCRIPT`], [`REDIS_RENEW_SCRIPT`], [`REDIS_COMPLETE_SCRIPT`],
/// [`REDIS_RELEASE_SCRIPT`]) claim, renew, complete and release, checking the owner. Processes of the SDK in other languages use the same prefix
/// ([`REDIS_KEY_PREFIX`]) and default TTL ([`DEFAULT_TTL`]), so they share it too.
///
/// Connections are opened on demand and kept for reuse (at most [`RedisStore::MAX_IDLE`] idle
/// ones); each command waits at most [`RedisStore::timeout`] (default 2 s), so an unreachable
/// Redis gives an error (and the receiver answers 503, asking the platform to send the event
/// again) rather than a hang. Redis's own expiry bounds what it holds in time.
///
/// ```no_run
/// use yunhuni::webhook::{Receiver, RedisStore};
///
/// let store = RedisStore::open("redis://127.0.0.1:6379/")?;
/// let receiver = Receiver::builder().token("s3cret").store(store).build()?;
/// # Ok::<(), yunhuni::Error>(())
/// ```
pub struct RedisStore {
    client: redis::Client,
    idle: Mutex<Vec<redis::Connection>>,
    ttl: Duration,
    timeout: Duration,
    prefix: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: only where it points.
        let info = self.client.get_connection_info();
        f.debug_struct("RedisStore")
            .field("addr", &info.addr.to_string())
            .field("ttl", &self.ttl)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl RedisStore {
    /// The most idle connections kept for reuse.
    pub const MAX_IDLE: usize = 16;

    /// A store on the Redis at `url` (`redis://[:password@]host[:port][/db]`, or
    /// `redis+unix:///path`); nothing is connected until the first claim. A `validation` error
    /// naming `url` when it is not a Redis URL (the message never shows a password).
    pub fn open(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|e| {
            Error::validation(
                "url",
                format!("is not a Redis URL ({})", escape_text(&e.to_string())),
            )
        })?;
        Ok(RedisStore {
            client,
            idle: Mutex::new(Vec::new()),
            ttl: DEFAULT_TTL,
            timeout: Duration::from_secs(2),
            prefix: REDIS_KEY_PREFIX.to_owned(),
        })
    }

    /// How long a key is remembered (1 ms to 30 days; default [`DEFAULT_TTL`]).
    pub fn ttl(mut self, ttl: Duration) -> Result<Self, Error> {
        if ttl < Duration::from_millis(1) || ttl > MAX_TTL {
            return Err(Error::validation(
                "ttl",
                format!(
                    "is {} ms; it must be 1 ms to {} ms (30 days)",
                    ttl.as_millis(),
                    MAX_TTL.as_millis()
                ),
            ));
        }
        self.ttl = ttl;
        Ok(self)
    }

    /// How long connecting and each command may take (1 ms to 60 s; default 2 s).
    pub fn timeout(mut self, timeout: Duration) -> Result<Self, Error> {
        if timeout < Duration::from_millis(1) || timeout > Duration::from_secs(60) {
            return Err(Error::validation(
                "timeout",
                format!("is {} ms; it must be 1 ms to 60 s", timeout.as_millis()),
            ));
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// The full Redis key of a delivery key: [`REDIS_KEY_PREFIX`] and the key.
    pub fn redis_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn run<T>(
        &self,
        what: &str,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, Error> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => self.connect()?,
        };
        match f(&mut conn) {
            Ok(v) => {
                let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
                if idle.len() < Self::MAX_IDLE {
                    idle.push(conn);
                }
                Ok(v)
            }
            // The connection is dropped: it may be broken.
            Err(e) => Err(redis_error(what, &e)),
        }
    }

    fn connect(&self) -> Result<redis::Connection, Error> {
        let conn = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(|e| redis_error("connecting to Redis", &e))?;
        conn.set_read_timeout(Some(self.timeout))
            .and_then(|()| conn.set_write_timeout(Some(self.timeout)))
            .map_err(|e| redis_error("setting Redis timeouts", &e))?;
        Ok(conn)
    }
}

fn redis_error(what: &str, e: &redis::RedisError) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    Error::new(kind, format!("{what}: {}", escape_text(&e.to_string())))
}

impl Store for RedisStore {
    fn claim(&self, key: &str) -> Result<bool, Error> {
        let redis_key = self.redis_key(key);
        let ttl_ms = self.ttl.as_millis() as u64;
        let set: Option<String> = self.run("Redis SET NX PX", |c| {
            redis::cmd("SET")
                .arg(&redis_key)
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms)
                .query(c)
        })?;
        Ok(set.is_some())
    }

    fn release(&self, key: &str) -> Result<(), Error> {
        let redis_key = self.redis_key(key);
        let _: i64 = self.run("Redis DEL", |c| redis::cmd("DEL").arg(&redis_key).query(c))?;
        Ok(())
    }

    fn claim_lease(&self, key: &str, owner: &str, lease: Duration) -> Result<Claim, Error> {
        let n = self.eval("claim", REDIS_CLAIM_SCRIPT, key, owner, Some(lease))?;
        Claim::from_script(n).ok_or_else(|| {
            Error::new(
                ErrorKind::Transport,
                format!("Redis claim script answered {n}, not 0, 1 or 2"),
            )
        })
    }

    fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<bool, Error> {
        Ok(self.eval("renew", REDIS_RENEW_SCRIPT, key, owner, Some(lease))? == 1)
    }

    fn complete(&self, key: &str, owner: &str) -> Result<bool, Error> {
        Ok(self.eval(
            "complete",
            REDIS_COMPLETE_SCRIPT,
            key,
            owner,
            Some(self.ttl),
        )? == 1)
    }

    fn release_owned(&self, key: &str, owner: &str) -> Result<bool, Error> {
        Ok(self.eval("release", REDIS_RELEASE_SCRIPT, key, owner, None)? == 1)
    }
}

impl RedisStore {
    /// `EVAL script 1 <prefix><key> owner [ms]`, answering an integer.
    fn eval(
        &self,
        what: &str,
        script: &str,
        key: &str,
        owner: &str,
        time: Option<Duration>,
    ) -> Result<i64, Error> {
        let redis_key = self.redis_key(key);
        self.run(&format!("Redis {what} script"), |c| {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(script).arg(1).arg(&redis_key).arg(owner);
            if let Some(t) = time {
                cmd.arg(t.as_millis().max(1) as u64);
            }
            cmd.query(c)
        })
    }
}
