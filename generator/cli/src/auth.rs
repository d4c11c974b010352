//! `auth login` (the installed-app flow through a loopback redirect, with
//! PKCE and a `state` check; or with `--device` the device authorization
//! grant of RFC 8628, for a machine without a browser), `auth status`,
//! `auth logout`, the stored credentials, and the token source that
//! refreshes them without ever falling back to a prompt. Every tool has
//! them, parameterised by its name and scopes.
//!
//! The configuration folder (owner-only; `<PREFIX>_CONFIG_DIR`, else the
//! platform's configuration folder and the tool's name) holds
//! `client_secret.json` (the OAuth client, as given to `auth login`) and
//! `credentials.json` (an `authorized_user` credential: client id and
//! secret, refresh token, the token endpoint and the granted scopes). Both
//! are written atomically. Requests to the token endpoint go through the
//! runtime's client: its proxies, certificates and timeouts apply.

use std::fmt;
use std::net::Ipv4Addr;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Arg, ArgMatches, Command};
use discovery_runtime::{BoxError, TokenFuture, TokenSource};
use futures_util::stream::{FuturesUnordered, StreamExt};
use oauth2::basic::BasicClient;
use oauth2::basic::BasicTokenResponse;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    DeviceAuthorizationUrl, DeviceCodeErrorResponseType, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardDeviceAuthorizationResponse, TokenResponse, TokenUrl,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::exit::{fail, usage, EXIT_AUTH, EXIT_LOCAL, EXIT_USAGE};
use crate::files::{owner_only_folder, temp_name, write_atomically};
use crate::printable;
use crate::spec::Tool;

const SECRET_FILE: &str = "client_secret.json";
const CREDENTIALS_FILE: &str = "credentials.json";
/// yup-oauth2's token cache, written by earlier versions; no longer read.
const LEGACY_TOKENS_FILE: &str = "tokens.json";

const GOOGLE_AUTH_URI: &str = "https://accounts.google.com/o/oauth2/auth";
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// RFC 8628's device authorization endpoint, Google's.
const GOOGLE_DEVICE_URI: &str = "https://oauth2.googleapis.com/device/code";

/// The device flow polls at least this far apart, whatever the server says.
const MIN_POLL: Duration = Duration::from_secs(1);
/// A device code whose poll interval is longer than this is refused: no one
/// waits that long, and the interval then only grows.
const MAX_POLL: Duration = Duration::from_secs(300);
/// How long a device login waits for the user by default (at most the
/// code's lifetime).
const DEVICE_WAIT: Duration = Duration::from_secs(30 * 60);

/// What the loopback listener reads of one request, and how long it waits.
const MAX_REQUEST_BYTES: usize = 8 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; further ones are closed right away.
const MAX_CONNECTIONS: usize = 16;
/// One exchange with the token endpoint, and the most of its answer read.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_TOKEN_RESPONSE_BYTES: u64 = 64 * 1024;

/// What to do when the stored credentials no longer work.
fn relogin(tool: &str) -> String {
    format!("run `{tool} auth login` to log in again")
}

/// `auth login|status|logout`, asking for `scopes` (by their short names).
pub(crate) fn command(env_prefix: &str, scopes: &[crate::Scope]) -> Command {
    let names: Vec<&'static str> = scopes.iter().map(|s| s.name).collect();
    let defaults: Vec<&str> = scopes.iter().filter(|s| s.login).map(|s| s.name).collect();
    let listed: Vec<String> = scopes
        .iter()
        .map(|s| format!("{} ({})", s.name, printable(s.about)))
        .collect();
    Command::new("auth")
        .about("Logs in with Google (a browser here, or --device from another device), shows or removes the stored credentials")
        .subcommand_required(true)
        .subcommand(
            Command::new("login")
                .about("Signs in (the consent page in a browser here, or with --device a code entered on another device) and stores the refresh token (owner-only files)")
                .arg(
                    Arg::new("client-secret")
                        .long("client-secret")
                        .env(format!("{env_prefix}_CLIENT_SECRET"))
                        .value_name("FILE")
                        .help("The OAuth client's client_secret.json (a Desktop app client); defaults to the stored copy"),
                )
                .arg(
                    Arg::new("scope")
                        .long("scope")
                        .value_name("SCOPE")
                        .action(clap::ArgAction::Append)
                        .value_parser(names)
                        .help(format!(
                            "A scope to ask for (repeatable; default: {}): {}",
                            if defaults.is_empty() {
                                "none".to_owned()
                            } else {
                                defaults.join(", ")
                            },
                            listed.join(", ")
                        )),
                )
                .arg(
                    Arg::new("device")
                        .long("device")
                        .action(clap::ArgAction::SetTrue)
                        .help("Logs in from another device (OAuth for TVs and limited-input devices, RFC 8628): shows a URL and a code to enter there, for a machine without a browser such as a server over SSH (needs a \"TVs and Limited Input devices\" OAuth client; Google allows only some scopes this way)"),
                )
                // The global `--timeout SECONDS` bounds the wait for the browser
                // (default 300 seconds here).
                .after_help("--timeout SECONDS bounds the wait for the browser (default 300), or with --device for the code to be entered (default: until the code expires, at most 30 minutes)."),
        )
        .subcommand(
            Command::new("status")
                .about("Says which credentials are used and whether they work (never prints them)"),
        )
        .subcommand(Command::new("logout").about("Removes the stored credentials"))
}

/// The short names (`--scope`) of those of `urls` the running tool knows.
pub(crate) fn scope_names(urls: &[String]) -> Vec<&'static str> {
    crate::app::scopes()
        .iter()
        .filter(|s| urls.iter().any(|u| u == s.url))
        .map(|s| s.name)
        .collect()
}

/// Where a tool keeps its credentials: `$<PREFIX>_CONFIG_DIR`, else the
/// platform's configuration folder and the tool's name.
pub fn config_dir(tool: &str, env_prefix: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(format!("{env_prefix}_CONFIG_DIR")) {
        return Some(PathBuf::from(dir));
    }
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
    };
    base.map(|b| b.join(tool))
}

/// `auth ...`: they need no client of the API (`status` makes one).
pub(crate) async fn run<C>(
    tool: &'static Tool<C>,
    scopes: &[crate::Scope],
    matches: &ArgMatches,
    auth: &ArgMatches,
) -> ExitCode
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client>,
{
    let Some(dir) = config_dir(tool.name, tool.env_prefix) else {
        eprintln!(
            "error: no configuration folder: set {}_CONFIG_DIR",
            tool.env_prefix
        );
        return ExitCode::from(EXIT_USAGE);
    };
    match auth.subcommand() {
        Some(("login", m)) => login(tool, scopes, &dir, m).await,
        Some(("status", _)) => status(tool, &dir, matches).await,
        Some(("logout", _)) => logout(&dir),
        _ => usage("unknown auth command"),
    }
}

fn logout(dir: &Path) -> ExitCode {
    let mut failed = false;
    for name in [CREDENTIALS_FILE, SECRET_FILE, LEGACY_TOKENS_FILE] {
        for file in [name.to_owned(), temp_name(name)] {
            match std::fs::remove_file(dir.join(&file)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    eprintln!("error: cannot remove {}: {e}", dir.join(&file).display());
                    failed = true;
                }
                _ => {}
            }
        }
    }
    if failed {
        return ExitCode::from(EXIT_LOCAL);
    }
    println!("logged out");
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------
// The OAuth client and the stored credential

type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The parts of a client_secret.json (its `installed` or `web` section) the
/// flow uses.
struct AppSecret {
    client_id: String,
    client_secret: Option<String>,
    auth_uri: AuthUrl,
    token_uri: TokenUrl,
    /// `device_authorization_uri` if the file names one, else Google's.
    device_uri: DeviceAuthorizationUrl,
}

/// An endpoint must be `https`, or `http` on this machine (for tests).
fn endpoint(what: &str, uri: &str) -> Result<oauth2::url::Url, String> {
    let url = oauth2::url::Url::parse(uri).map_err(|e| format!("{what} {uri:?}: {e}"))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() == "https" || (url.scheme() == "http" && local) {
        Ok(url)
    } else {
        Err(format!("{what} {uri:?} is not an https URL"))
    }
}

fn parse_app_secret(bytes: &[u8]) -> Result<AppSecret, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let section = value
        .get("installed")
        .or_else(|| value.get("web"))
        .ok_or("it has neither an `installed` nor a `web` section")?;
    let field = |name: &str| {
        section
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let client_id = field("client_id").ok_or("it has no client_id")?;
    let auth_uri = field("auth_uri").unwrap_or_else(|| GOOGLE_AUTH_URI.into());
    let token_uri = field("token_uri").unwrap_or_else(|| GOOGLE_TOKEN_URI.into());
    let device_uri = field("device_authorization_uri").unwrap_or_else(|| GOOGLE_DEVICE_URI.into());
    Ok(AppSecret {
        client_id,
        client_secret: field("client_secret"),
        auth_uri: AuthUrl::from_url(endpoint("auth_uri", &auth_uri)?),
        token_uri: TokenUrl::from_url(endpoint("token_uri", &token_uri)?),
        device_uri: DeviceAuthorizationUrl::from_url(endpoint(
            "device_authorization_uri",
            &device_uri,
        )?),
    })
}

fn oauth_client(
    client_id: &str,
    client_secret: Option<&str>,
    auth_uri: AuthUrl,
    token_uri: TokenUrl,
) -> OAuthClient {
    let client = BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri(auth_uri)
        .set_token_uri(token_uri)
        // Google documents the client credentials in the form body.
        .set_auth_type(AuthType::RequestBody);
    match client_secret {
        Some(secret) => client.set_client_secret(ClientSecret::new(secret.to_owned())),
        None => client,
    }
}

/// `credentials.json`: what a refresh needs, in the `authorized_user` form
/// Google's tools use (plus the token endpoint).
#[derive(Clone)]
struct Credentials {
    client_id: String,
    client_secret: Option<String>,
    refresh_token: String,
    token_uri: String,
    /// The scopes the user granted at login (empty: not recorded).
    scopes: Vec<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    fn to_json(&self) -> Vec<u8> {
        let mut value = json!({
            "type": "authorized_user",
            "client_id": self.client_id,
            "refresh_token": self.refresh_token,
            "token_uri": self.token_uri,
        });
        if let Some(secret) = &self.client_secret {
            value["client_secret"] = json!(secret);
        }
        if !self.scopes.is_empty() {
            value["scopes"] = json!(self.scopes);
        }
        let mut text = serde_json::to_vec_pretty(&value).unwrap_or_default();
        text.push(b'\n');
        text
    }

    fn parse(bytes: &[u8]) -> Result<Credentials, String> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        if value.get("type").and_then(Value::as_str) != Some("authorized_user") {
            return Err("not an authorized_user credential".into());
        }
        let field = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let token_uri = field("token_uri").unwrap_or_else(|| GOOGLE_TOKEN_URI.into());
        endpoint("token_uri", &token_uri)?;
        Ok(Credentials {
            client_id: field("client_id").ok_or("no client_id")?,
            client_secret: field("client_secret"),
            refresh_token: field("refresh_token").ok_or("no refresh_token")?,
            token_uri,
            scopes: value
                .get("scopes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .take(32)
                        .map(|s| {
                            s.chars()
                                .filter(|c| c.is_ascii_graphic())
                                .take(200)
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The stored credential: `None` when there is none.
    fn read(dir: &Path) -> Result<Option<Credentials>, String> {
        match std::fs::read(dir.join(CREDENTIALS_FILE)) {
            Ok(bytes) => Credentials::parse(&bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

// ---------------------------------------------------------------------------
// HTTP for the oauth2 crate: the runtime's client

#[derive(Debug)]
struct HttpError(String);

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

/// A client of the tool's API without a token, whose pool, proxy and
/// certificates carry the requests to the token endpoint.
fn http_client<C>(tool: &Tool<C>) -> Result<discovery_runtime::Client, String>
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client>,
{
    let client = (tool.builder)()
        .no_auth()
        .timeout(TOKEN_TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    Ok((*client).clone())
}

/// One request to the token endpoint, bounded in time and size. Redirects are
/// not followed (as the oauth2 crate asks of its HTTP clients).
async fn send(
    client: discovery_runtime::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, Bytes::from(body));
    let response = client
        .exchange(request, MAX_TOKEN_RESPONSE_BYTES)
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    let (parts, body) = response.into_parts();
    Ok(http::Response::from_parts(parts, body.to_vec()))
}

/// What went wrong with a request to the token endpoint `uri`; `what` is
/// what it was sent (refused ones).
fn describe<T: oauth2::ErrorResponse + 'static>(
    error: &RequestTokenError<HttpError, T>,
    uri: &str,
    what: &str,
) -> String {
    match error {
        RequestTokenError::ServerResponse(e) => {
            format!(
                "the token endpoint {uri} refused {what} ({})",
                printable(&e.to_string())
            )
        }
        RequestTokenError::Request(e) => format!("cannot reach the token endpoint {uri}: {e}"),
        RequestTokenError::Parse(e, _) => {
            format!("the token endpoint {uri} answered with something other than a token ({e})")
        }
        RequestTokenError::Other(e) => {
            format!(
                "the token endpoint {uri} answered unexpectedly ({})",
                printable(e)
            )
        }
    }
}

// ---------------------------------------------------------------------------
// The token source of later calls

/// Access tokens from the stored refresh token. A failed refresh is an error
/// telling to log in again; it never starts an interactive flow.
pub struct StoredToken {
    tool: &'static str,
    credentials: Credentials,
    client: OAuthClient,
    http: discovery_runtime::Client,
    dir: PathBuf,
    /// The tokens in use; the lock also keeps concurrent calls from
    /// refreshing at once.
    cache: tokio::sync::Mutex<Cache>,
}

struct Cache {
    /// The refresh token: the stored one, or the one the server rotated it to.
    refresh_token: String,
    /// The current access token and when to stop using it.
    access: Option<(String, Instant)>,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl StoredToken {
    fn new(
        tool: &'static str,
        credentials: Credentials,
        http: discovery_runtime::Client,
        dir: &Path,
    ) -> Result<StoredToken, String> {
        let token_uri = TokenUrl::new(credentials.token_uri.clone()).map_err(|e| e.to_string())?;
        let client = oauth_client(
            &credentials.client_id,
            credentials.client_secret.as_deref(),
            // Not used: a refresh needs only the token endpoint.
            AuthUrl::new(GOOGLE_AUTH_URI.into()).map_err(|e| e.to_string())?,
            token_uri,
        );
        Ok(StoredToken {
            tool,
            client,
            http,
            dir: dir.to_path_buf(),
            cache: tokio::sync::Mutex::new(Cache {
                refresh_token: credentials.refresh_token.clone(),
                access: None,
            }),
            credentials,
        })
    }

    /// A new access token and when to stop using it; `cache.refresh_token`
    /// becomes the one the server rotated it to, if it did.
    async fn refresh(&self, cache: &mut Cache) -> Result<(String, Instant), BoxError> {
        let refresh_token = RefreshToken::new(cache.refresh_token.clone());
        let http = |request| send(self.http.clone(), request);
        let response = self
            .client
            .exchange_refresh_token(&refresh_token)
            .request_async(&http)
            .await
            .map_err(|e| -> BoxError {
                let uri = &self.credentials.token_uri;
                match e {
                    RequestTokenError::Request(_) => describe(&e, uri, "").into(),
                    _ => format!(
                        "the stored credentials no longer work: {}; {}",
                        describe(&e, uri, "them"),
                        relogin(self.tool)
                    )
                    .into(),
                }
            })?;
        // The server may rotate the refresh token: the new one is used from
        // now on (the old one may be revoked) and stored.
        if let Some(new) = response.refresh_token() {
            if new.secret() != &cache.refresh_token {
                cache.refresh_token = new.secret().clone();
                let credentials = Credentials {
                    refresh_token: new.secret().clone(),
                    ..self.credentials.clone()
                };
                if let Err(e) =
                    write_atomically(&self.dir, CREDENTIALS_FILE, &credentials.to_json())
                {
                    eprintln!(
                        "warning: cannot store the renewed refresh token: {e}; {} later",
                        relogin(self.tool)
                    );
                }
            }
        }
        let lifetime = response.expires_in().unwrap_or(Duration::from_secs(300));
        // Renews a minute early, so a token does not expire during a call.
        // `expires_in` is the server's number: capped, so the sum cannot overflow.
        let lifetime = lifetime.min(Duration::from_secs(24 * 3600));
        let until = Instant::now() + lifetime.saturating_sub(Duration::from_secs(60));
        Ok((response.access_token().secret().clone(), until))
    }
}

impl TokenSource for StoredToken {
    fn token<'a>(&'a self, _scopes: &'a [&'a str]) -> TokenFuture<'a> {
        // The refresh gives a token for the scopes consented to at login.
        Box::pin(async move {
            let mut cache = self.cache.lock().await;
            if let Some((token, until)) = &cache.access {
                if Instant::now() < *until {
                    return Ok(token.clone());
                }
            }
            let (token, until) = self.refresh(&mut cache).await?;
            cache.access = Some((token.clone(), until));
            Ok(token)
        })
    }

    /// What the user granted at login, if that was recorded: calls that
    /// need another scope fail before anything is sent.
    fn granted_scopes(&self) -> Option<Vec<String>> {
        (!self.credentials.scopes.is_empty()).then(|| self.credentials.scopes.clone())
    }
}

/// The token source of the stored credentials and the credentials: `Ok(None)`
/// when there are none, `Err` with a message when they cannot be used.
fn stored<C>(
    tool: &'static Tool<C>,
    dir: &Path,
) -> Result<Option<(StoredToken, Credentials)>, String>
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client>,
{
    let path = dir.join(CREDENTIALS_FILE);
    let unusable = |e: String| {
        format!(
            "the stored credentials {} are not usable ({e}); {}",
            path.display(),
            relogin(tool.name)
        )
    };
    let credentials = match Credentials::read(dir) {
        Ok(Some(c)) => c,
        Ok(None) => return Ok(None),
        Err(e) => return Err(unusable(e)),
    };
    let http = http_client(tool).map_err(&unusable)?;
    let source = StoredToken::new(tool.name, credentials.clone(), http, dir).map_err(unusable)?;
    Ok(Some((source, credentials)))
}

/// The token source of the stored credentials, if there are any.
///
/// Gets the first access token right away: if the refresh fails, the command
/// stops here with the auth exit code (an upload would otherwise report
/// every file as failed).
pub async fn stored_credentials<C>(tool: &'static Tool<C>) -> Option<StoredToken>
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client>,
{
    let dir = config_dir(tool.name, tool.env_prefix)?;
    match stored(tool, &dir) {
        Ok(Some((source, _))) => match source.token(&[]).await {
            Ok(_) => Some(source),
            Err(e) => {
                eprintln!("error: could not get an access token: {e}");
                std::process::exit(EXIT_AUTH.into());
            }
        },
        Ok(None) => {
            if dir.join(LEGACY_TOKENS_FILE).exists() {
                eprintln!(
                    "note: credentials stored by an earlier version are not used; {}",
                    relogin(tool.name)
                );
            }
            None
        }
        Err(message) => {
            eprintln!("error: {}", printable(&message));
            None
        }
    }
}

async fn status<C>(tool: &'static Tool<C>, dir: &Path, matches: &ArgMatches) -> ExitCode
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client>,
{
    // The same choice as every other command: --token first, then the stored
    // credentials.
    let (mut builder, used) = match matches.get_one::<String>("token") {
        Some(token) => (
            (tool.builder)().bearer_token(token.clone()),
            format!(
                "the access token from --token or {}_TOKEN (stored credentials are not used)",
                tool.env_prefix
            ),
        ),
        None => match stored(tool, dir) {
            Ok(Some((source, credentials))) => {
                // Without a call to make, a fresh access token shows they work.
                if tool.probe.is_none() {
                    if let Err(e) = source.token(&[]).await {
                        eprintln!(
                            "error: could not get an access token: {}",
                            printable(&e.to_string())
                        );
                        return ExitCode::from(EXIT_AUTH);
                    }
                }
                (
                    (tool.builder)().token_source(source),
                    format!(
                        "the stored credentials in {} (OAuth client {}; granted scopes: {})",
                        dir.join(CREDENTIALS_FILE).display(),
                        credentials.client_id,
                        if credentials.scopes.is_empty() {
                            "not recorded".to_owned()
                        } else {
                            credentials.scopes.join(", ")
                        }
                    ),
                )
            }
            Ok(None) => {
                eprintln!(
                    "not logged in: run `{} auth login --client-secret FILE`",
                    tool.name
                );
                return ExitCode::from(EXIT_AUTH);
            }
            Err(message) => {
                eprintln!("error: {}", printable(&message));
                return ExitCode::from(EXIT_AUTH);
            }
        },
    };
    if let Some(url) = matches.get_one::<String>("base-url") {
        builder = builder.base_url(url.clone());
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    // A call that needs no argument shows the credentials work; without one,
    // a fresh access token does.
    let checked = match tool.probe {
        Some(probe) => probe(&client).await,
        None => Ok(()),
    };
    match checked {
        Ok(()) => {
            println!("logged in: using {used}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("using {used}");
            fail(&e)
        }
    }
}

// ---------------------------------------------------------------------------
// auth login

/// What both logins need: the scopes asked for, the OAuth client (and the
/// bytes of its file, stored once the login succeeds), the HTTP client.
struct Prepared {
    scopes: Vec<&'static str>,
    secret_bytes: Vec<u8>,
    secret: AppSecret,
    http: discovery_runtime::Client,
}

async fn login<C>(
    tool: &'static Tool<C>,
    scopes: &[crate::Scope],
    dir: &Path,
    m: &ArgMatches,
) -> ExitCode
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client>,
{
    let prepared = match prepare(tool, scopes, dir, m) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let response = if m.get_flag("device") {
        device_login(&prepared, m).await
    } else {
        loopback_login(&prepared, m).await
    };
    match response {
        Ok(response) => store(&prepared, dir, &response),
        Err(code) => code,
    }
}

fn prepare<C>(
    tool: &'static Tool<C>,
    scopes: &[crate::Scope],
    dir: &Path,
    m: &ArgMatches,
) -> Result<Prepared, ExitCode>
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client>,
{
    // The chosen scopes (clap checked the names), else the default ones.
    let chosen: Vec<&String> = m
        .get_many::<String>("scope")
        .into_iter()
        .flatten()
        .collect();
    let scopes: Vec<&'static str> = scopes
        .iter()
        .filter(|s| {
            if chosen.is_empty() {
                s.login
            } else {
                chosen.iter().any(|c| *c == s.name)
            }
        })
        .map(|s| s.url)
        .collect();
    let secret_path = match m.get_one::<String>("client-secret") {
        Some(path) => PathBuf::from(path),
        None if dir.join(SECRET_FILE).exists() => dir.join(SECRET_FILE),
        None => {
            return Err(usage(
                "the client secret is required: pass --client-secret FILE (a Desktop app client's client_secret.json)",
            ))
        }
    };
    // Read into memory and checked before anything is written: the stored
    // copy may be the very file given.
    let secret_bytes = std::fs::read(&secret_path).map_err(|e| {
        usage(&format!(
            "cannot read the client secret {}: {e}",
            secret_path.display()
        ))
    })?;
    let secret = parse_app_secret(&secret_bytes).map_err(|e| {
        usage(&format!(
            "the client secret {} is not usable: {e}",
            secret_path.display()
        ))
    })?;
    if let Err(e) = owner_only_folder(dir) {
        eprintln!(
            "error: cannot use the configuration folder {}: {e}",
            dir.display()
        );
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let http = http_client(tool).map_err(|e| {
        eprintln!("error: {}", printable(&e));
        ExitCode::from(EXIT_LOCAL)
    })?;
    Ok(Prepared {
        scopes,
        secret_bytes,
        secret,
        http,
    })
}

/// Stores what a login obtained: the client secret and the credential.
fn store(prepared: &Prepared, dir: &Path, response: &BasicTokenResponse) -> ExitCode {
    let Some(refresh_token) = response.refresh_token() else {
        eprintln!("error: login failed: the token endpoint returned no refresh token");
        return ExitCode::from(EXIT_AUTH);
    };
    // What the user granted (they may untick scopes on the consent page);
    // the token endpoint leaves `scope` out when it is what was asked for.
    let granted = match response.scopes() {
        Some(granted) => granted.iter().map(|s| s.to_string()).collect(),
        None => prepared.scopes.iter().map(|s| s.to_string()).collect(),
    };
    let secret = &prepared.secret;
    let credentials = Credentials {
        client_id: secret.client_id.clone(),
        client_secret: secret.client_secret.clone(),
        refresh_token: refresh_token.secret().clone(),
        token_uri: secret.token_uri.as_str().to_owned(),
        scopes: granted,
    };
    let store = || -> std::io::Result<()> {
        write_atomically(dir, SECRET_FILE, &prepared.secret_bytes)?;
        write_atomically(dir, CREDENTIALS_FILE, &credentials.to_json())?;
        match std::fs::remove_file(dir.join(LEGACY_TOKENS_FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    };
    if let Err(e) = store() {
        eprintln!("error: cannot store credentials in {}: {e}", dir.display());
        return ExitCode::from(EXIT_LOCAL);
    }
    println!("logged in; credentials stored in {}", dir.display());
    ExitCode::SUCCESS
}

/// The installed-app flow: the consent page in a browser on this machine,
/// which redirects to a loopback listener with the code.
async fn loopback_login(
    prepared: &Prepared,
    m: &ArgMatches,
) -> Result<BasicTokenResponse, ExitCode> {
    let secret = &prepared.secret;
    // The global `--timeout`; a login waits for a person, so its default is longer.
    let wait = Duration::from_secs(*m.get_one::<u64>("timeout").unwrap_or(&300));
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| {
            eprintln!("error: cannot listen on 127.0.0.1 for the browser's redirect: {e}");
            ExitCode::from(EXIT_AUTH)
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_AUTH)
        })?
        .port();
    let redirect = RedirectUrl::new(format!("http://127.0.0.1:{port}/")).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(EXIT_LOCAL)
    })?;
    let client = oauth_client(
        &secret.client_id,
        secret.client_secret.as_deref(),
        secret.auth_uri.clone(),
        secret.token_uri.clone(),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(prepared.scopes.iter().map(|s| Scope::new((*s).to_owned())))
        .set_pkce_challenge(challenge)
        // A refresh token, given again on every login.
        .add_extra_param("access_type", "offline")
        .add_extra_param("prompt", "consent")
        .url();
    // Standard error: standard output stays for results (`-o json`).
    eprintln!(
        "Open this page in a browser and allow access:\n\n    {url}\n\nWaiting for the browser (at most {} s)...",
        wait.as_secs()
    );
    let code = match tokio::time::timeout(wait, wait_for_code(&listener, state.secret())).await {
        Ok(Ok(code)) => code,
        Ok(Err(message)) => {
            eprintln!("error: login failed: {message}");
            return Err(ExitCode::from(EXIT_AUTH));
        }
        Err(_) => {
            eprintln!(
                "error: login timed out: the browser did not come back within {} s",
                wait.as_secs()
            );
            return Err(ExitCode::from(EXIT_AUTH));
        }
    };
    drop(listener);
    let send = |request| send(prepared.http.clone(), request);
    client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .map_err(|e| {
            eprintln!(
                "error: login failed: {}",
                describe(&e, secret.token_uri.as_str(), "the authorization code")
            );
            ExitCode::from(EXIT_AUTH)
        })
}

/// The device authorization grant (RFC 8628): a URL and a code the user
/// enters on another device; the token endpoint is polled at the interval
/// the server gives (never more often than once a second, slower when it
/// answers `slow_down`) until the user allows or denies access or the code
/// expires.
async fn device_login(prepared: &Prepared, m: &ArgMatches) -> Result<BasicTokenResponse, ExitCode> {
    let secret = &prepared.secret;
    let failed = |message: String| {
        eprintln!("error: login failed: {message}");
        ExitCode::from(EXIT_AUTH)
    };
    let client = BasicClient::new(ClientId::new(secret.client_id.clone()))
        .set_token_uri(secret.token_uri.clone())
        .set_device_authorization_url(secret.device_uri.clone())
        .set_auth_type(AuthType::RequestBody);
    let client = match &secret.client_secret {
        Some(s) => client.set_client_secret(ClientSecret::new(s.clone())),
        None => client,
    };
    let send = |request| send(prepared.http.clone(), request);
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scopes(prepared.scopes.iter().map(|s| Scope::new((*s).to_owned())))
        .request_async(&send)
        .await
        .map_err(|e| {
            failed(describe(
                &e,
                secret.device_uri.as_str(),
                "the request for a device code",
            ))
        })?;
    if details.interval() > MAX_POLL {
        return Err(failed(format!(
            "the device authorization endpoint asks to poll every {} s (more than {} s)",
            details.interval().as_secs(),
            MAX_POLL.as_secs()
        )));
    }
    // `--timeout` if given, else until the code expires (at most 30 min).
    let lifetime = details.expires_in();
    let wait = match m.value_source("timeout") {
        Some(clap::parser::ValueSource::CommandLine) => {
            Duration::from_secs(*m.get_one::<u64>("timeout").unwrap_or(&300))
        }
        _ => DEVICE_WAIT,
    }
    .min(lifetime);
    let verification = details.verification_uri().as_str();
    eprintln!(
        "On a phone or computer, open\n\n    {}\n\nand enter the code\n\n    {}\n",
        printable(verification),
        printable(details.user_code().secret())
    );
    let complete = details
        .verification_uri_complete()
        .map(|u| u.secret().as_str())
        .unwrap_or(verification);
    if let Some(code) = crate::progress::qr_code(complete) {
        eprintln!("or scan:\n{code}");
    }
    eprintln!(
        "Waiting for access to be allowed (at most {} s)...",
        wait.as_secs()
    );
    // The crate lowers its interval after a network failure (to at most its
    // backoff cap): the longest interval asked so far stays the floor, as
    // RFC 8628 §3.5 wants for every later request.
    let floor = std::cell::Cell::new(details.interval());
    let sleep = |interval: Duration| {
        let wait = poll_wait(&floor, interval);
        tokio::time::sleep(wait)
    };
    let polling = client
        .exchange_device_access_token(&details)
        // A network failure doubles the wait up to 30 s (or the interval
        // asked, if longer): a short outage does not leave polls minutes
        // apart once the user has allowed access.
        .set_max_backoff_interval(details.interval().max(Duration::from_secs(30)))
        .request_async(&send, sleep, Some(wait));
    // The crate's own deadline is checked between polls: this one holds
    // whatever a poll or the server's interval does.
    let waited = wait.saturating_add(MAX_POLL).saturating_add(TOKEN_TIMEOUT);
    match tokio::time::timeout(waited, polling).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(RequestTokenError::ServerResponse(e))) => Err(failed(match e.error() {
            DeviceCodeErrorResponseType::AccessDenied => {
                "access was denied on the other device".to_owned()
            }
            DeviceCodeErrorResponseType::ExpiredToken => format!(
                "the code expired before access was allowed (after {} s); run the login again for a new code",
                wait.as_secs()
            ),
            _ => format!(
                "the token endpoint {} refused the device code ({})",
                secret.token_uri.as_str(),
                printable(&e.to_string())
            ),
        })),
        Ok(Err(e)) => Err(failed(describe(
            &e,
            secret.token_uri.as_str(),
            "the device code",
        ))),
        Err(_) => Err(failed(format!(
            "access was not allowed within {} s",
            wait.as_secs()
        ))),
    }
}

/// The wait before the next device-flow poll: what the crate asks
/// (`interval`), never below the longest interval asked so far (`floor`,
/// raised by it) nor below [`MIN_POLL`].
fn poll_wait(floor: &std::cell::Cell<Duration>, interval: Duration) -> Duration {
    let wait = interval.max(floor.get());
    floor.set(wait);
    wait.max(MIN_POLL)
}

/// What a request to the loopback listener brought.
enum Redirect {
    Code(String),
    Denied(String),
}

/// Serves the loopback listener until a request brings the right `state` and
/// a code (or an error). Requests without the right state get a 400 page and
/// are otherwise ignored.
async fn wait_for_code(listener: &TcpListener, state: &str) -> Result<String, String> {
    let mut pending = FuturesUnordered::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) if pending.len() < MAX_CONNECTIONS => pending.push(serve(stream, state)),
                Ok(_) => {} // dropped: closed
                // E.g. out of file descriptors: wait instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            },
            Some(outcome) = pending.next(), if !pending.is_empty() => match outcome {
                Some(Redirect::Code(code)) => return Ok(code),
                Some(Redirect::Denied(error)) => return Err(format!("the consent page answered {error}")),
                None => {}
            },
        }
    }
}

/// Whether `a` and `b` are equal, in a time that does not depend on where
/// they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// One connection: at most `MAX_REQUEST_BYTES` of its head, read within
/// `REQUEST_TIMEOUT`, then one answer.
async fn serve(mut stream: TcpStream, state: &str) -> Option<Redirect> {
    let head = tokio::time::timeout(REQUEST_TIMEOUT, read_head(&mut stream)).await;
    let (status, page, outcome) = match head {
        Ok(Some(head)) => judge(&head, state),
        Ok(None) => (
            "400 Bad Request",
            "The request is not one this login expects.",
            None,
        ),
        Err(_) => return None,
    };
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = tokio::time::timeout(REQUEST_TIMEOUT, async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
    outcome
}

/// The request head (up to the blank line), or `None` if it is too long or
/// the connection ends first.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&chunk[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return String::from_utf8(head).ok();
        }
        if head.len() > MAX_REQUEST_BYTES {
            return None;
        }
    }
}

fn judge(head: &str, state: &str) -> (&'static str, &'static str, Option<Redirect>) {
    let not_ours = (
        "400 Bad Request",
        "This request does not belong to the login in progress; it was ignored.",
        None,
    );
    let mut words = head.lines().next().unwrap_or("").split(' ');
    let (Some("GET"), Some(target)) = (words.next(), words.next()) else {
        return not_ours;
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/" {
        return ("404 Not Found", "Not found.", None);
    }
    let (mut got_state, mut code, mut error) = (None, None, None);
    for (key, value) in oauth2::url::form_urlencoded::parse(query.as_bytes()) {
        match &*key {
            "state" => got_state = Some(value.into_owned()),
            "code" => code = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            _ => {}
        }
    }
    if !got_state.is_some_and(|s| same(&s, state)) {
        return not_ours;
    }
    if let Some(error) = error {
        return (
            "400 Bad Request",
            "The login was not completed; see the terminal.",
            Some(Redirect::Denied(printable(&error))),
        );
    }
    match code.filter(|c| !c.is_empty()) {
        Some(code) => (
            "200 OK",
            "Received; return to the terminal. You can close this page.",
            Some(Redirect::Code(code)),
        ),
        None => (
            "400 Bad Request",
            "The request has no authorization code.",
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_polls_never_come_sooner_than_the_longest_interval_asked() {
        let floor = std::cell::Cell::new(Duration::from_secs(5));
        let s = Duration::from_secs;
        // slow_down twice: 10 s, 15 s; a network failure then lowers the
        // crate's interval to its cap: the wait stays 15 s.
        assert_eq!(poll_wait(&floor, s(5)), s(5));
        assert_eq!(poll_wait(&floor, s(10)), s(10));
        assert_eq!(poll_wait(&floor, s(15)), s(15));
        assert_eq!(poll_wait(&floor, s(10)), s(15));
        // An interval of 0 is polled once a second.
        let floor = std::cell::Cell::new(Duration::ZERO);
        assert_eq!(poll_wait(&floor, Duration::ZERO), MIN_POLL);
    }
}
