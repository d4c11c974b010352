//! Running a tool: parse, answer what needs no client (completions, `auth`,
//! the extension's own), build the client, run the chosen method or the
//! extension's command, print, exit.

use std::ops::Deref;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{ArgMatches, Command};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;

use crate::action::Run as Call;
use crate::args::Args;
use crate::exit::{fail, usage, EXIT_AUTH};
use crate::output::{Output, Printer};
use crate::spec::{Paging, Scope, Tool};

/// Hand-written commands of one tool. Every method has a default that does
/// nothing, so an extension implements only what it needs. The futures
/// borrow their arguments and need not be `Send`: tools run on a
/// current-thread runtime.
pub trait Extension<C> {
    /// Commands added to the top level, next to the API's resources.
    fn commands(&self) -> Vec<Command> {
        Vec::new()
    }

    /// Runs one of [`commands`](Extension::commands): `Some` with its result
    /// when `path` (the subcommand names) is one. `m` holds the innermost
    /// subcommand's arguments; `run` the tool's settings and client.
    fn run<'a>(
        &'a self,
        run: &'a Run<'a, C>,
        path: &'a [&'a str],
        m: &'a ArgMatches,
    ) -> LocalBoxFuture<'a, Option<Result<(), ExitCode>>> {
        let _ = (run, path, m);
        Box::pin(async { None })
    }
}

/// The extension of a tool that has none.
impl<C> Extension<C> for () {}

/// What an extension's command gets: the client and the global settings.
pub struct Run<'a, C> {
    pub client: &'a C,
    pub output: Output,
    pub matches: &'a ArgMatches,
    /// The tool's name, for messages (`photoslibrary auth login`).
    pub tool: &'static str,
    /// The prefix of its environment variables.
    pub env_prefix: &'static str,
}

impl<C> Run<'_, C> {
    /// The tool's configuration folder (where `auth login` keeps the
    /// credentials), if there is one.
    pub fn config_dir(&self) -> Option<PathBuf> {
        crate::auth::config_dir(self.tool, self.env_prefix)
    }
}

/// The tool's name and scopes, for messages printed far from `main`.
struct Context {
    tool: &'static str,
    scopes: Vec<Scope>,
}

static CONTEXT: OnceLock<Context> = OnceLock::new();

/// The running tool's name (`tool` before one runs).
pub(crate) fn tool_name() -> &'static str {
    CONTEXT.get().map_or("tool", |c| c.tool)
}

/// The running tool's scopes.
pub(crate) fn scopes() -> &'static [Scope] {
    CONTEXT.get().map_or(&[], |c| &c.scopes)
}

/// A tool, its extra login scopes and its extension, ready to run.
pub struct App<C: 'static, E = ()> {
    tool: &'static Tool<C>,
    scopes: Vec<Scope>,
    extension: E,
}

impl<C> App<C, ()>
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client> + 'static,
{
    pub fn new(tool: &'static Tool<C>) -> Self {
        App {
            tool,
            scopes: tool.scopes.to_vec(),
            extension: (),
        }
    }
}

impl<C, E> App<C, E>
where
    C: From<discovery_runtime::Client> + Deref<Target = discovery_runtime::Client> + 'static,
    E: Extension<C>,
{
    /// Scopes of other APIs the extension's commands call, which `auth
    /// login` can ask for too.
    pub fn scopes(mut self, scopes: &[Scope]) -> Self {
        self.scopes.extend_from_slice(scopes);
        self
    }

    /// The hand-written commands.
    pub fn extension<F: Extension<C>>(self, extension: F) -> App<C, F> {
        App {
            tool: self.tool,
            scopes: self.scopes,
            extension,
        }
    }

    /// Runs the tool on a current-thread runtime.
    pub fn main(self) -> ExitCode {
        let _ = CONTEXT.set(Context {
            tool: self.tool.name,
            scopes: self.scopes.clone(),
        });
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(self.run()),
            Err(e) => {
                eprintln!("error: cannot start the runtime: {e}");
                ExitCode::from(crate::exit::EXIT_LOCAL)
            }
        }
    }

    fn command(&self) -> Command {
        let auth = crate::auth::command(self.tool.env_prefix, &self.scopes);
        crate::command::tree(self.tool, self.extension.commands(), auth)
    }

    async fn run(self) -> ExitCode {
        let matches = self.command().get_matches();
        let tool = self.tool;
        match matches.subcommand() {
            Some(("completions", m)) => {
                if let Some(shell) = m.get_one::<clap_complete::Shell>("shell") {
                    clap_complete::generate(
                        *shell,
                        &mut self.command(),
                        tool.name,
                        &mut std::io::stdout(),
                    );
                }
                return ExitCode::SUCCESS;
            }
            Some(("auth", m)) => return crate::auth::run(tool, &self.scopes, &matches, m).await,
            _ => {}
        }
        let output = matches
            .get_one::<Output>("output")
            .copied()
            .unwrap_or(Output::Json);
        let dry_run = matches.get_flag("dry-run");
        let (path, m) = crate::command::chosen(&matches);
        let own = self
            .extension
            .commands()
            .iter()
            .any(|c| Some(c.get_name()) == path.first().copied());
        // Hand-written commands cannot preview what they would send.
        if dry_run && own {
            return usage(&format!(
                "--dry-run is not available for `{}`",
                path.first().copied().unwrap_or_default()
            ));
        }
        let client = match self.client(&matches, dry_run).await {
            Ok(client) => client,
            Err(code) => return code,
        };
        if own {
            let run = Run {
                client: &client,
                output,
                matches: &matches,
                tool: tool.name,
                env_prefix: tool.env_prefix,
            };
            return match self.extension.run(&run, &path, m).await {
                Some(Ok(())) => ExitCode::SUCCESS,
                Some(Err(code)) => code,
                None => usage("unknown command"),
            };
        }
        match method_call(tool, &client, &path, m, output, dry_run).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        }
    }

    /// The client: `--token` (or the token variable), else the stored
    /// credentials, else (for a dry run, which sends nothing) a placeholder.
    async fn client(&self, matches: &ArgMatches, dry_run: bool) -> Result<C, ExitCode> {
        let tool = self.tool;
        let mut builder = match matches.get_one::<String>("token") {
            Some(token) => (tool.builder)().bearer_token(token.clone()),
            // Never sent: the preview shows the header as `REDACTED`.
            None if dry_run => (tool.builder)().bearer_token("dry-run"),
            None => match crate::auth::stored_credentials(tool).await {
                Some(source) => (tool.builder)().token_source(source),
                None => {
                    eprintln!(
                        "error: no access token: pass --token, set {}_TOKEN, or run `{} auth login`",
                        tool.env_prefix, tool.name
                    );
                    return Err(ExitCode::from(EXIT_AUTH));
                }
            },
        };
        if let Some(url) = matches.get_one::<String>("base-url") {
            builder = builder.base_url(url.clone());
        }
        if let Some(seconds) = matches.get_one::<u64>("timeout") {
            let timeout = std::time::Duration::from_secs(*seconds);
            builder = builder.timeout(timeout).idle_timeout(timeout);
        }
        builder.build().map_err(|e| fail(&e))
    }
}

/// Runs the API method `path` names: its arguments, then a preview or the
/// call, printed.
async fn method_call<C>(
    tool: &Tool<C>,
    client: &C,
    path: &[&str],
    m: &ArgMatches,
    output: Output,
    dry_run: bool,
) -> Result<(), ExitCode> {
    let Some(method) = crate::command::find(tool, path) else {
        return Err(usage("unknown command"));
    };
    // clap knows these arguments only for methods that have them.
    let media = match method
        .upload
        .then(|| m.get_one::<String>("upload"))
        .flatten()
    {
        Some(file) => {
            let content_type = m
                .get_one::<String>("content-type")
                .map_or("application/octet-stream", String::as_str);
            Some(
                crate::files::upload_media(file, content_type)
                    .await
                    .map_err(|e| usage(&e))?,
            )
        }
        None => None,
    };
    let download = match method
        .download
        .then(|| m.get_one::<String>("download"))
        .flatten()
    {
        Some(file) if std::path::Path::new(file).file_name().is_none() => {
            return Err(usage(&format!("--download: {file:?} names no file")))
        }
        Some(file) => Some(PathBuf::from(file)),
        None => None,
    };
    let mut args = Args {
        matches: m,
        body_fields: method.body.unwrap_or(&[]),
        media,
        download,
    };
    let action = (method.run)(client, &mut args)?;
    if dry_run {
        let preview = action.preview.map_err(|e| fail(&e))?;
        println!("{}", serde_json::to_string(&preview).unwrap_or_default());
        return Ok(());
    }
    let mut printer = Printer::new(output);
    match action.run {
        Call::One(call) => show(&mut printer, call.await.map_err(|e| fail(&e))?),
        Call::Paged { one, all } => {
            if method.paging != Paging::None && m.get_flag("all") {
                let mut all = all;
                while let Some(item) = all.next().await {
                    printer.print(&item.map_err(|e| fail(&e))?);
                }
            } else {
                show(&mut printer, one.await.map_err(|e| fail(&e))?);
            }
        }
        Call::Download(download) => {
            let done = download.await.map_err(|e| fail(&e))?;
            show(&mut printer, downloaded(done));
        }
    }
    Ok(())
}

/// Prints an answer; an empty one (`null`) prints nothing.
fn show(printer: &mut Printer, value: serde_json::Value) {
    if !value.is_null() {
        printer.print(&value);
    }
}

/// What a safe download did, as JSON.
fn downloaded(done: discovery_runtime::files::Downloaded) -> serde_json::Value {
    use discovery_runtime::files::Downloaded;
    match done {
        Downloaded::Complete {
            path,
            bytes,
            resumed_from,
        } => serde_json::json!({
            "path": path.display().to_string(), "bytes": bytes, "resumed_from": resumed_from,
        }),
        Downloaded::AlreadyThere { path } => serde_json::json!({
            "path": path.display().to_string(), "already_there": true,
        }),
        _ => serde_json::Value::Null,
    }
}

/// Resolves on Ctrl-C, and on Unix also on SIGTERM and SIGHUP (a closed
/// terminal); never, if no handler can be installed.
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut hangup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            tokio::select! {
                result = tokio::signal::ctrl_c() => if result.is_err() { std::future::pending::<()>().await },
                _ = term.recv() => {}
                _ = hangup.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
