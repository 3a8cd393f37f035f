//! A vault on S3-compatible object storage (`s3://BUCKET/PREFIX`): AWS S3, MinIO, SeaweedFS,
//! Ceph RGW, a cloud provider's "OSS", …
//!
//! Each file is the object `PREFIX/<Key::path()>`. Creating one is a conditional PUT
//! (`If-None-Match: *`), which the server refuses when the object exists, so two writers never
//! both win a ledger number; large packs go up as multipart uploads read from their source part
//! by part (bounded memory). Reads are whole, ranged or streamed GETs, sizes are HEADs, and
//! listings list one folder with a delimiter. With [`CreateOptions::retain_until`], objects are
//! written under S3 Object Lock in compliance mode: nobody can delete that version before the
//! date (the bucket must have been created with Object Lock enabled).
//!
//! The client is Apache Arrow's `object_store`, driven by a small tokio runtime that this
//! backend owns; calls block on it and may come from many threads at once. Requests are signed
//! with the credentials given in [`S3Config`] (the standard `AWS_*` variables), never with
//! credentials looked up elsewhere. Connection failures are retried briefly, so an unreachable
//! server fails in seconds rather than minutes.

use std::collections::VecDeque;
use std::fmt;
use std::io::{Read, Write};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, Checksum};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, HeaderMap, HeaderValue, MultipartUpload,
    ObjectStore, ObjectStoreExt, PutMode, PutMultipartOptions, PutOptions, PutPayload, RetryConfig,
};

use super::{Backend, BackendError, CreateOptions, Created, FileKind, Key, Listed, Progress};

/// Files up to this size go up in one PUT; larger ones in multipart uploads of parts this size.
pub const PART_SIZE: usize = 16 << 20;

/// Parts uploaded at once by a multipart upload (the memory held is about one more part).
const PARTS_IN_FLIGHT: usize = 2;

/// Streamed reads fetch the object in ranges of this size, each a request of its own.
const READ_CHUNK: u64 = 64 << 20;

/// The region used when neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is set.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Where and how to reach the object store: the standard AWS variables' values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    /// `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_S3`): the server, for other stores than AWS.
    pub endpoint: Option<String>,
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<String>,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<String>,
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`; `us-east-1` when neither is set).
    pub region: String,
    /// `AWS_ALLOW_HTTP=true`: plain HTTP to a server on another machine (a hospital intranet
    /// MinIO without TLS). Off by default: credentials and vault files would cross the network
    /// unprotected.
    pub allow_http: bool,
    /// `AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true|false`: address the bucket as a host name
    /// (`https://BUCKET.endpoint`). Default: path style, except for Alibaba Cloud OSS endpoints
    /// (`*.aliyuncs.com`), which refuse path-style requests.
    pub virtual_hosted: Option<bool>,
    /// `AWS_CA_BUNDLE`: a PEM file of certificate authorities to trust besides the system's (a
    /// hospital's own CA).
    pub ca_bundle: Option<String>,
}

/// Whether a variable's value says yes.
fn yes(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("region", &self.region)
            .field("allow_http", &self.allow_http)
            .field("virtual_hosted", &self.virtual_hosted)
            .field("ca_bundle", &self.ca_bundle)
            .finish()
    }
}

impl S3Config {
    /// Read the standard variables through `get` (the caller passes the environment; the
    /// library never reads it itself). Empty values count as unset.
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> S3Config {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        S3Config {
            endpoint: var("AWS_ENDPOINT_URL").or_else(|| var("AWS_ENDPOINT_URL_S3")),
            access_key_id: var("AWS_ACCESS_KEY_ID"),
            secret_access_key: var("AWS_SECRET_ACCESS_KEY"),
            session_token: var("AWS_SESSION_TOKEN"),
            region: var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            allow_http: var("AWS_ALLOW_HTTP").is_some_and(|v| yes(&v)),
            virtual_hosted: var("AWS_VIRTUAL_HOSTED_STYLE_REQUEST").map(|v| yes(&v)),
            ca_bundle: var("AWS_CA_BUNDLE"),
        }
    }
}

/// A vault in an S3 bucket, under a prefix.
pub struct S3 {
    bucket: String,
    prefix: String,
    /// Who answers, for messages: the endpoint, or AWS S3 and its region.
    server: String,
    store: AmazonS3,
    builder: AmazonS3Builder,
    options: ClientOptions,
    /// A client whose writes carry Object Lock headers, for the last retention date asked.
    locked: Mutex<Option<(time::OffsetDateTime, Arc<AmazonS3>)>>,
    /// Set once the bucket is known to exist (a 404 is then a missing object).
    bucket_seen: OnceLock<()>,
    rt: tokio::runtime::Runtime,
}

impl fmt::Debug for S3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3")
            .field("location", &self.location())
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

const URL_FORM: &str = "an S3 vault is given as s3://BUCKET/PREFIX (PREFIX may be empty or a/b)";

/// Split `s3://BUCKET/PREFIX` into the bucket and the prefix (`""` or `a/b`, no slashes at the
/// ends).
fn parse_url(url: &str) -> Result<(String, String), String> {
    let bad = |why: &str| Err(format!("{why}; {URL_FORM}"));
    let Some(rest) = url.strip_prefix("s3://") else {
        return bad("not an s3:// location");
    };
    if rest.contains(['?', '#']) {
        return bad("a query string or fragment is not part of a location");
    }
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return bad("the bucket name is empty");
    }
    let bucket_ok = bucket.len() <= 63
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b));
    if !bucket_ok {
        return bad(
            "a bucket name has at most 63 lowercase letters, digits, dots, dashes and underscores",
        );
    }
    let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
    if !prefix.is_empty() {
        for seg in prefix.split('/') {
            if seg.is_empty() || seg == "." || seg == ".." {
                return bad("the prefix has an empty, `.` or `..` part");
            }
            if seg
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '\\' | '%' | '*'))
            {
                return bad("the prefix has spaces, control characters, `\\`, `%` or `*`");
            }
        }
    }
    Ok((bucket.to_owned(), prefix.to_owned()))
}

/// The scheme and host of an endpoint URL (`http://127.0.0.1:8333` → `("http", "127.0.0.1")`).
fn endpoint_parts(endpoint: &str) -> Option<(String, String)> {
    let (scheme, rest) = endpoint.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') {
        return None;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split_once(']')?.0
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    (!host.is_empty()).then(|| (scheme.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

/// Whether `host` is this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Check the endpoint and say whether it is plain HTTP (allowed only to this machine, unless
/// `allow_http`).
fn check_endpoint(endpoint: &str, allow_http: bool) -> Result<bool, String> {
    // Never echo a password given in the URL.
    let shown = match endpoint.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://…@{host}"),
                None => endpoint.to_owned(),
            }
        }
        None => endpoint.to_owned(),
    };
    let endpoint = shown.as_str();
    let Some((scheme, host)) = endpoint_parts(endpoint) else {
        return Err(format!(
            "AWS_ENDPOINT_URL={endpoint} is not a URL like https://s3.example.org or http://127.0.0.1:8333"
        ));
    };
    match scheme.as_str() {
        "https" => Ok(false),
        "http" if is_loopback(&host) || allow_http => Ok(true),
        "http" => Err(format!(
            "AWS_ENDPOINT_URL={endpoint} is plain http to another machine: credentials and vault files would cross the network unprotected; use https:// (a server with the hospital's own certificate authority: set AWS_CA_BUNDLE=ca.pem), or, on a closed network only, set AWS_ALLOW_HTTP=true"
        )),
        _ => Err(format!(
            "AWS_ENDPOINT_URL={endpoint}: the scheme must be https:// (or http:// for a server on this machine)"
        )),
    }
}

/// Client settings: connections give up after a few seconds and are retried briefly, so an
/// unreachable server fails in about ten seconds; a request may take up to five minutes (one
/// part or read chunk on a slow line).
fn client_options(allow_http: bool) -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(allow_http)
        .with_connect_timeout(Duration::from_secs(4))
        .with_timeout(Duration::from_secs(300))
}

fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: Duration::from_secs(8),
    }
}

/// The error and its causes, on one line.
fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cur = s.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The kind of the HTTP failure under `e`, if it is one (connection refused, timeout, …).
fn http_kind(e: &(dyn std::error::Error + 'static)) -> Option<object_store::client::HttpErrorKind> {
    let mut cur = Some(e);
    while let Some(s) = cur {
        if let Some(h) = s.downcast_ref::<object_store::client::HttpError>() {
            return Some(h.kind());
        }
        cur = s.source();
    }
    None
}

/// The part of a failed request's error that helps: the S3 error code and message when the
/// server sent one, else what the HTTP client said (without the method and URL).
fn detail(text: &str) -> String {
    let between = |open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        let len = text[start..].find(close)?;
        Some(text[start..start + len].trim().to_owned())
    };
    if let Some(code) = between("<Code>", "</Code>") {
        return match between("<Message>", "</Message>") {
            Some(message) => format!("the server answered {code}: {message}"),
            None => format!("the server answered {code}"),
        };
    }
    let tail = text.rsplit_once(" - ").map_or(text, |(_, t)| t);
    shorten(tail.trim().trim_end_matches(':'), 300)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

impl S3 {
    /// The vault at `url` (`s3://BUCKET/PREFIX`) on the server `config` names. Nothing is sent
    /// yet: a wrong bucket or credentials show at the first request.
    pub fn open(url: &str, config: &S3Config) -> Result<S3, BackendError> {
        let unsupported = |message: String| BackendError::Unsupported {
            location: url.to_owned(),
            message,
        };
        let (bucket, prefix) = parse_url(url).map_err(unsupported)?;
        let (Some(key_id), Some(secret)) = (&config.access_key_id, &config.secret_access_key)
        else {
            return Err(unsupported(
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)".to_owned(),
            ));
        };
        let allow_http = match &config.endpoint {
            Some(e) => check_endpoint(e.trim(), config.allow_http).map_err(unsupported)?,
            None => false,
        };
        let virtual_hosted = config.virtual_hosted.unwrap_or_else(|| {
            config
                .endpoint
                .as_deref()
                .and_then(endpoint_parts)
                .is_some_and(|(_, host)| host.ends_with(".aliyuncs.com"))
        });
        let server = match &config.endpoint {
            Some(e) => e.clone(),
            None => format!("AWS S3 in {}", config.region),
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&bucket)
            .with_region(&config.region)
            .with_access_key_id(key_id)
            .with_secret_access_key(secret)
            .with_virtual_hosted_style_request(virtual_hosted)
            .with_checksum_algorithm(Checksum::SHA256)
            .with_retry(retry_config());
        if let Some(token) = &config.session_token {
            builder = builder.with_token(token);
        }
        if let Some(endpoint) = &config.endpoint {
            let endpoint = endpoint.trim().trim_end_matches('/');
            // Virtual-hosted style: the client expects the bucket in the endpoint's host.
            let endpoint = match endpoint.split_once("://") {
                Some((scheme, host))
                    if virtual_hosted && !host.starts_with(&format!("{bucket}.")) =>
                {
                    format!("{scheme}://{bucket}.{host}")
                }
                _ => endpoint.to_owned(),
            };
            builder = builder.with_endpoint(endpoint);
        }
        let mut options = client_options(allow_http);
        if let Some(path) = &config.ca_bundle {
            let pem = std::fs::read(path).map_err(|e| {
                unsupported(format!("AWS_CA_BUNDLE={path}: cannot read it ({e}); give the PEM file of the certificate authority that signed the server's certificate"))
            })?;
            let certs = object_store::Certificate::from_pem_bundle(&pem).map_err(|e| {
                unsupported(format!(
                    "AWS_CA_BUNDLE={path}: not a PEM certificate file ({e})"
                ))
            })?;
            for c in certs {
                options = options.with_root_certificate(c);
            }
        }
        let store = builder
            .clone()
            .with_client_options(options.clone())
            .build()
            .map_err(|e| unsupported(format!("cannot set up the S3 client: {e}")))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("escrow-s3")
            .enable_all()
            .build()
            .map_err(|source| BackendError::Io {
                path: url.to_owned(),
                source,
            })?;
        Ok(S3 {
            bucket,
            prefix,
            server,
            store,
            builder,
            options,
            locked: Mutex::new(None),
            bucket_seen: OnceLock::new(),
            rt,
        })
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The prefix (`""` or `a/b`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The object name of `rel` (a path relative to the vault's root).
    fn object(&self, rel: &str) -> Result<ObjectPath, BackendError> {
        let full = match (self.prefix.as_str(), rel) {
            ("", r) => r.to_owned(),
            (p, "") => p.to_owned(),
            (p, r) => format!("{p}/{r}"),
        };
        ObjectPath::parse(&full).map_err(|e| BackendError::Remote {
            location: self.location(),
            key: rel.to_owned(),
            message: format!("not a valid object name: {e}"),
        })
    }

    /// The message for a failed request: what went wrong and what to do.
    fn describe(&self, e: &object_store::Error) -> String {
        use object_store::client::HttpErrorKind;
        let text = chain_text(e);
        let hint = if let Some(kind) =
            http_kind(e).filter(|k| matches!(k, HttpErrorKind::Connect | HttpErrorKind::Timeout))
        {
            let what = if kind == HttpErrorKind::Connect {
                "cannot connect to"
            } else {
                "no answer in time from"
            };
            if self.server.starts_with("AWS S3") {
                if self.server.starts_with("AWS S3 in ") {
                    format!(
                        "{what} {}: check the network and AWS_REGION; for any other S3 server (MinIO, OSS, COS, OBS, SeaweedFS) set AWS_ENDPOINT_URL",
                        self.server
                    )
                } else {
                    format!("{what} {}: check the network and AWS_REGION", self.server)
                }
            } else {
                format!(
                    "{what} {}: is the server at AWS_ENDPOINT_URL running and reachable?",
                    self.server
                )
            }
        } else if text.contains("NoSuchBucket") {
            format!(
                "the bucket {b} does not exist on {s}: create the bucket {b} (or correct the s3:// location)",
                b = self.bucket,
                s = self.server
            )
        } else if text.contains("InvalidAccessKeyId")
            || text.contains("SignatureDoesNotMatch")
            || text.contains("InvalidToken")
            || text.contains("ExpiredToken")
            || matches!(e, object_store::Error::Unauthenticated { .. })
        {
            "the server refused the credentials: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if set)".to_owned()
        } else if matches!(e, object_store::Error::PermissionDenied { .. }) {
            format!(
                "the server refused access: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and that this key may read, list and write in bucket {}",
                self.bucket
            )
        } else {
            format!("the request to {} failed", self.server)
        };
        format!("{hint} ({})", detail(&text))
    }

    fn remote(&self, key: &str, e: &object_store::Error) -> BackendError {
        BackendError::Remote {
            location: self.location(),
            key: key.to_owned(),
            message: self.describe(e),
        }
    }

    /// A 404 for `key`: the object is missing, unless the bucket is (checked once with a
    /// listing, since a HEAD's 404 does not say which).
    fn not_found(&self, key: &Key) -> BackendError {
        if self.bucket_seen.get().is_none() {
            let root = match self.object("") {
                Ok(p) => p,
                Err(e) => return e,
            };
            let root = (!self.prefix.is_empty()).then_some(root);
            match self
                .rt
                .block_on(self.store.list_with_delimiter(root.as_ref()))
            {
                Ok(_) => {
                    let _ = self.bucket_seen.set(());
                }
                Err(e) => return self.remote(&key.path(), &e),
            }
        }
        BackendError::NotFound {
            location: self.location(),
            key: key.path(),
        }
    }

    fn failed(&self, key: &Key, e: &object_store::Error) -> BackendError {
        if matches!(e, object_store::Error::NotFound { .. })
            && !chain_text(e).contains("NoSuchBucket")
        {
            return self.not_found(key);
        }
        self.remote(&key.path(), e)
    }

    /// The client to write with: the plain one, or one whose requests carry the Object Lock
    /// headers for `retain_until` (signed with the rest).
    fn writer(&self, options: CreateOptions) -> Result<Option<Arc<AmazonS3>>, BackendError> {
        let Some(until) = options.retain_until else {
            return Ok(None);
        };
        let mut cached = self
            .locked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((at, store)) = cached.as_ref()
            && *at == until
        {
            return Ok(Some(Arc::clone(store)));
        }
        let unsupported = |message: String| BackendError::Unsupported {
            location: self.location(),
            message,
        };
        let date = until
            .to_offset(time::UtcOffset::UTC)
            .replace_nanosecond(0)
            .ok()
            .and_then(|d| {
                d.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .ok_or_else(|| unsupported(format!("cannot write the retention date {until}")))?;
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-object-lock-mode",
            HeaderValue::from_static("COMPLIANCE"),
        );
        headers.insert(
            "x-amz-object-lock-retain-until-date",
            HeaderValue::from_str(&date)
                .map_err(|e| unsupported(format!("retention date {date}: {e}")))?,
        );
        let store = self
            .builder
            .clone()
            .with_client_options(self.options.clone().with_default_headers(headers))
            .build()
            .map_err(|e| unsupported(format!("cannot set up the S3 client: {e}")))?;
        let store = Arc::new(store);
        *cached = Some((until, Arc::clone(&store)));
        Ok(Some(store))
    }

    /// The message for a refused locked write.
    fn lock_refused(&self, key: &Key, e: &object_store::Error) -> BackendError {
        let text = chain_text(e);
        if text.contains("InvalidRequest") || text.contains("ObjectLock") {
            return BackendError::Unsupported {
                location: self.location(),
                message: format!(
                    "the server refused to lock {key} (S3 Object Lock): the bucket {} must be created with Object Lock enabled ({})",
                    self.bucket,
                    detail(&text)
                ),
            };
        }
        self.failed(key, e)
    }

    /// One conditional PUT: `Existed` when the server says the name is taken.
    fn put_new(
        &self,
        key: &Key,
        payload: &PutPayload,
        options: CreateOptions,
    ) -> Result<Created, BackendError> {
        let path = self.object(&key.path())?;
        let locked = self.writer(options)?;
        let store: &AmazonS3 = locked.as_deref().unwrap_or(&self.store);
        for _ in 0..3 {
            let put = store.put_opts(
                &path,
                payload.clone(),
                PutOptions {
                    mode: PutMode::Create,
                    ..PutOptions::default()
                },
            );
            match self.rt.block_on(put) {
                Ok(_) => return Ok(Created::New),
                Err(
                    object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. },
                ) => {
                    // A 409 can also mean that another conditional write was in flight and
                    // may yet fail: only a stored object settles it.
                    if self.size(key)?.is_some() {
                        return Ok(Created::Existed);
                    }
                }
                Err(e) if locked.is_some() => return Err(self.lock_refused(key, &e)),
                Err(e) => return Err(self.failed(key, &e)),
            }
        }
        Err(BackendError::Remote {
            location: self.location(),
            key: key.path(),
            message: "the server kept refusing the write as a conflict, yet stores no such object; try again".to_owned(),
        })
    }

    /// A multipart upload of `len` bytes from `src`, a few parts in flight; aborted on error.
    fn put_multipart(
        &self,
        key: &Key,
        src: &mut dyn Read,
        len: u64,
        options: CreateOptions,
        progress: Progress<'_>,
    ) -> Result<(), BackendError> {
        let path = self.object(&key.path())?;
        let locked = self.writer(options)?;
        let store: &AmazonS3 = locked.as_deref().unwrap_or(&self.store);
        let mut upload = self
            .rt
            .block_on(store.put_multipart_opts(&path, PutMultipartOptions::default()))
            .map_err(|e| {
                if locked.is_some() {
                    self.lock_refused(key, &e)
                } else {
                    self.failed(key, &e)
                }
            })?;
        let mut in_flight = VecDeque::new();
        let result = self.send_parts(key, src, len, upload.as_mut(), &mut in_flight, progress);
        match result {
            Ok(()) => match self.rt.block_on(upload.complete()) {
                Ok(_) => Ok(()),
                Err(e) => {
                    let _ = self.rt.block_on(upload.abort());
                    Err(self.failed(key, &e))
                }
            },
            Err(err) => {
                for task in &in_flight {
                    task.abort();
                }
                for task in in_flight {
                    let _ = self.rt.block_on(task);
                }
                let _ = self.rt.block_on(upload.abort());
                Err(err)
            }
        }
    }

    fn send_parts(
        &self,
        key: &Key,
        src: &mut dyn Read,
        len: u64,
        upload: &mut dyn MultipartUpload,
        in_flight: &mut VecDeque<tokio::task::JoinHandle<object_store::Result<()>>>,
        progress: Progress<'_>,
    ) -> Result<(), BackendError> {
        let mut read = 0u64;
        let mut done = 0u64;
        let mut sizes = VecDeque::new();
        let mut wait_one = |in_flight: &mut VecDeque<tokio::task::JoinHandle<_>>,
                            sizes: &mut VecDeque<u64>|
         -> Result<(), BackendError> {
            let Some(task) = in_flight.pop_front() else {
                return Ok(());
            };
            match self.rt.block_on(task) {
                Ok(Ok(())) => {
                    done += sizes.pop_front().unwrap_or(0);
                    progress(done);
                    Ok(())
                }
                Ok(Err(e)) => Err(self.failed(key, &e)),
                Err(e) => Err(BackendError::Remote {
                    location: self.location(),
                    key: key.path(),
                    message: format!("a part upload stopped: {e}"),
                }),
            }
        };
        while read < len {
            let want = usize::try_from((len - read).min(PART_SIZE as u64)).unwrap_or(PART_SIZE);
            let mut buf = vec![0u8; want];
            src.read_exact(&mut buf)
                .map_err(|source| BackendError::Io {
                    path: key.path(),
                    source,
                })?;
            read += want as u64;
            while in_flight.len() >= PARTS_IN_FLIGHT {
                wait_one(in_flight, &mut sizes)?;
            }
            in_flight.push_back(self.rt.spawn(upload.put_part(PutPayload::from(buf))));
            sizes.push_back(want as u64);
        }
        while !in_flight.is_empty() {
            wait_one(in_flight, &mut sizes)?;
        }
        Ok(())
    }
}

impl Backend for S3 {
    fn location(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    fn read(&self, key: &Key, max: u64) -> Result<Vec<u8>, BackendError> {
        let path = self.object(&key.path())?;
        let got = self
            .rt
            .block_on(self.store.get_opts(&path, GetOptions::default()))
            .map_err(|e| self.failed(key, &e))?;
        let size = got.meta.size;
        if size > max {
            // Dropping the response closes the connection: the body is not downloaded.
            return Err(BackendError::TooLarge {
                location: self.location(),
                key: key.path(),
                size,
                max,
            });
        }
        let bytes = self
            .rt
            .block_on(got.bytes())
            .map_err(|e| self.failed(key, &e))?;
        if bytes.len() as u64 != size {
            return Err(BackendError::Remote {
                location: self.location(),
                key: key.path(),
                message: format!(
                    "the server sent {} bytes of an object of {size}",
                    bytes.len()
                ),
            });
        }
        Ok(Vec::from(bytes))
    }

    fn read_range(&self, key: &Key, offset: u64, len: u64) -> Result<Vec<u8>, BackendError> {
        let end = offset.saturating_add(len);
        let short = |size: u64| BackendError::Remote {
            location: self.location(),
            key: key.path(),
            message: format!(
                "the file is {size} bytes, shorter than the range {offset}..{end} read"
            ),
        };
        if len == 0 {
            let size = self.size(key)?.ok_or_else(|| self.not_found(key))?;
            return if offset > size {
                Err(short(size))
            } else {
                Ok(Vec::new())
            };
        }
        let path = self.object(&key.path())?;
        let opts = GetOptions {
            range: Some(GetRange::Bounded(offset..end)),
            ..GetOptions::default()
        };
        let got = match self.rt.block_on(self.store.get_opts(&path, opts)) {
            Ok(got) => got,
            Err(e) => {
                // A range starting past the end is refused (416): say so plainly.
                if let Ok(Some(size)) = self.size(key)
                    && end > size
                {
                    return Err(short(size));
                }
                return Err(self.failed(key, &e));
            }
        };
        let size = got.meta.size;
        if end > size {
            return Err(short(size));
        }
        let bytes = self
            .rt
            .block_on(got.bytes())
            .map_err(|e| self.failed(key, &e))?;
        if bytes.len() as u64 != len {
            return Err(short(offset + bytes.len() as u64));
        }
        Ok(Vec::from(bytes))
    }

    fn read_to(&self, key: &Key, out: &mut dyn Write) -> Result<u64, BackendError> {
        let path = self.object(&key.path())?;
        let meta = self
            .rt
            .block_on(self.store.head(&path))
            .map_err(|e| self.failed(key, &e))?;
        let size = meta.size;
        let mut at = 0u64;
        while at < size {
            let end = size.min(at + READ_CHUNK);
            let opts = GetOptions {
                range: Some(GetRange::Bounded(at..end)),
                if_match: meta.e_tag.clone(),
                ..GetOptions::default()
            };
            let got = self
                .rt
                .block_on(self.store.get_opts(&path, opts))
                .map_err(|e| self.failed(key, &e))?;
            let mut stream = got.into_stream();
            let mut got_len = 0u64;
            while let Some(chunk) = self.rt.block_on(stream.next()) {
                let chunk = chunk.map_err(|e| self.failed(key, &e))?;
                out.write_all(&chunk).map_err(|source| BackendError::Io {
                    path: key.path(),
                    source,
                })?;
                got_len += chunk.len() as u64;
            }
            if got_len != end - at {
                return Err(BackendError::Remote {
                    location: self.location(),
                    key: key.path(),
                    message: format!(
                        "the server sent {got_len} bytes for the range {at}..{end} of an object of {size}"
                    ),
                });
            }
            at = end;
        }
        Ok(size)
    }

    fn size(&self, key: &Key) -> Result<Option<u64>, BackendError> {
        let path = self.object(&key.path())?;
        match self.rt.block_on(self.store.head(&path)) {
            Ok(meta) => Ok(Some(meta.size)),
            Err(e) => match self.failed(key, &e) {
                BackendError::NotFound { .. } => Ok(None),
                other => Err(other),
            },
        }
    }

    fn list(&self, kind: FileKind) -> Result<Vec<Listed>, BackendError> {
        let folder = self.object(kind.folder())?;
        let prefix = (!folder.as_ref().is_empty()).then_some(&folder);
        let listed = self
            .rt
            .block_on(self.store.list_with_delimiter(prefix))
            .map_err(|e| self.remote(kind.folder(), &e))?;
        let _ = self.bucket_seen.set(());
        let mut out: Vec<Listed> = listed
            .objects
            .into_iter()
            .filter(|o| o.location != folder)
            .filter_map(|o| {
                Some(Listed {
                    name: o.location.filename()?.to_owned(),
                    size: o.size,
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn create(
        &self,
        key: &Key,
        bytes: &[u8],
        options: CreateOptions,
    ) -> Result<Created, BackendError> {
        self.put_new(key, &PutPayload::from(bytes.to_vec()), options)
    }

    fn create_streamed(
        &self,
        key: &Key,
        src: &mut dyn Read,
        len: u64,
        options: CreateOptions,
        progress: Progress<'_>,
    ) -> Result<Created, BackendError> {
        if self.size(key)?.is_some() {
            return Ok(Created::Existed);
        }
        if len <= PART_SIZE as u64 {
            let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            src.take(len)
                .read_to_end(&mut buf)
                .map_err(|source| BackendError::Io {
                    path: key.path(),
                    source,
                })?;
            if buf.len() as u64 != len {
                return Err(BackendError::Io {
                    path: key.path(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("the source gave {} of {len} bytes", buf.len()),
                    ),
                });
            }
            let created = self.put_new(key, &PutPayload::from(buf), options)?;
            progress(len);
            return Ok(created);
        }
        // Content-named: a writer racing us uploads the same bytes, so the completion need
        // not be conditional.
        self.put_multipart(key, src, len, options, progress)?;
        Ok(Created::New)
    }

    fn supports_retention(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("s3://bucket").unwrap(),
            ("bucket".to_owned(), String::new())
        );
        assert_eq!(
            parse_url("s3://bucket/").unwrap(),
            ("bucket".to_owned(), String::new())
        );
        assert_eq!(
            parse_url("s3://b-1.x/a/b/").unwrap(),
            ("b-1.x".to_owned(), "a/b".to_owned())
        );
        for bad in [
            "s3://",
            "s3:///p",
            "s3://b/../x",
            "s3://b/a//c",
            "s3://b/a?x=1",
            "s3://B/x",
            "http://b/x",
            "s3://b/a b",
            "s3://b/./a",
        ] {
            let e = parse_url(bad).unwrap_err();
            assert!(e.contains("s3://BUCKET/PREFIX"), "{bad}: {e}");
        }
    }

    #[test]
    fn endpoints() {
        assert_eq!(check_endpoint("https://s3.example.org", false), Ok(false));
        assert_eq!(check_endpoint("http://127.0.0.1:8333", false), Ok(true));
        assert_eq!(check_endpoint("http://127.9.9.9", false), Ok(true));
        assert_eq!(check_endpoint("http://[::1]:9000/", false), Ok(true));
        assert_eq!(check_endpoint("http://LOCALHOST:9000", false), Ok(true));
        for bad in [
            "http://10.0.0.5:9000",
            "http://s3.example.org",
            "http://localhost.example.org",
            "http://127.0.0.1@evil.example:80",
            "ftp://127.0.0.1",
            "127.0.0.1:9000",
        ] {
            assert!(check_endpoint(bad, false).is_err(), "{bad}");
        }
        assert!(
            check_endpoint("http://s3.example.org", false)
                .unwrap_err()
                .contains("use https://")
        );
        // Plain HTTP to another machine only when asked (a closed intranet).
        assert_eq!(check_endpoint("http://10.0.0.5:9000", true), Ok(true));
        // A password in the URL is never echoed.
        let e = check_endpoint("http://admin:TopSecret@127.0.0.1:9000", false).unwrap_err();
        assert!(!e.contains("TopSecret"), "{e}");
    }

    #[test]
    fn config_from_env() {
        let env = |k: &str| match k {
            "AWS_ENDPOINT_URL_S3" => Some("https://s3.example.org".to_owned()),
            "AWS_ACCESS_KEY_ID" => Some("AKID".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("SECRET".to_owned()),
            "AWS_DEFAULT_REGION" => Some("cn-north-1".to_owned()),
            _ => None,
        };
        let c = S3Config::from_env(&env);
        assert_eq!(c.endpoint.as_deref(), Some("https://s3.example.org"));
        assert_eq!(c.region, "cn-north-1");
        assert_eq!(c.session_token, None);
        assert!(!format!("{c:?}").contains("SECRET"));
        let c = S3Config::from_env(&|_| None);
        assert_eq!(c.region, DEFAULT_REGION);
        let e = S3::open("s3://b/p", &c).unwrap_err().to_string();
        assert!(
            e.contains("AWS_ACCESS_KEY_ID") && e.contains("AWS_SECRET_ACCESS_KEY"),
            "{e}"
        );
    }
}
