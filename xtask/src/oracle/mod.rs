//! `cargo xtask oracle [DOC|DIR]...`: for every method of every document,
//! the request our generated tool builds (`--dry-run`) against the one
//! Google's own Python client builds from the same document for the same
//! arguments (`python/oracle.py`). Any difference fails, but those on the
//! documented list ([`compare::Rule`]), each seen only where a call was made
//! to show it. The tools are built like `cargo xtask corpus` builds them, so
//! every document also generates a library and a tool that compile without
//! warnings.
//!
//! Python: `ORACLE_PYTHON` (default `python3`) must import `googleapiclient`
//! (`.ci/run` makes a virtual environment with it).

mod cases;
mod compare;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use xtask::{documents_in, workspace_root};

use crate::scratch;
use cases::Call;
use compare::{Ours, Outcome, Rule};

/// The file both clients upload in upload calls.
static MEDIA_FILE: LazyLock<PathBuf> =
    LazyLock::new(|| workspace_root().join("target/xtask-oracle/media.txt"));
/// Where our tool would download (nothing is written in a dry run).
static DOWNLOAD_FILE: LazyLock<PathBuf> =
    LazyLock::new(|| workspace_root().join("target/xtask-oracle/download/file.bin"));

/// How long one run of our tool may take.
const TOOL_DEADLINE: Duration = Duration::from_secs(60);

pub fn run(args: &[&str]) -> ExitCode {
    match oracle(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The documents to check, grouped by folder (each folder is one scratch
/// workspace, built once).
fn documents(args: &[&str]) -> Result<BTreeMap<String, Vec<PathBuf>>, String> {
    let root = workspace_root();
    let args: Vec<PathBuf> = if args.is_empty() {
        ["discovery", "discovery/corpus", "discovery/current"]
            .iter()
            .map(|d| root.join(d))
            .collect()
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    let mut groups: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for arg in args {
        let (folder, docs) = if arg.is_dir() {
            let (_, docs) = documents_in(Some(&arg.to_string_lossy()))?;
            (arg.clone(), docs)
        } else if arg.is_file() {
            (
                arg.parent().unwrap_or(Path::new(".")).to_path_buf(),
                vec![arg.clone()],
            )
        } else {
            return Err(format!(
                "{} is neither a document nor a folder",
                arg.display()
            ));
        };
        let name = folder
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "documents".into());
        let group = groups.entry(name).or_default();
        for doc in docs {
            if !group.contains(&doc) {
                group.push(doc);
            }
        }
    }
    Ok(groups)
}

fn python() -> String {
    std::env::var("ORACLE_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn oracle(args: &[&str]) -> Result<bool, String> {
    let check = Command::new(python())
        .args(["-c", "import googleapiclient"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python()))?;
    if !check.status.success() {
        return Err(format!(
            "{} cannot import googleapiclient: make a virtual environment with \
             `pip install google-api-python-client` and point ORACLE_PYTHON at its python",
            python()
        ));
    }
    if let Some(dir) = MEDIA_FILE.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(&*MEDIA_FILE, b"oracle media\n").map_err(|e| e.to_string())?;

    let mut totals = Totals::default();
    for (folder, docs) in documents(args)? {
        let scratch::Workspace {
            work,
            crates,
            failed,
        } = scratch::generate(
            "xtask-oracle",
            "oracle",
            &folder,
            &docs,
            "cargo xtask oracle",
        )?;
        for (stem, e) in failed {
            totals
                .failures
                .push(format!("{stem}: does not generate: {e}"));
        }
        let packages: Vec<String> = crates.iter().map(|c| c.cli()).collect();
        if packages.is_empty() {
            continue;
        }
        eprintln!(
            "building {} tools in {} ...",
            packages.len(),
            work.display()
        );
        let start = Instant::now();
        let out = scratch::cargo(&work, "build", &packages)
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if let Some(problems) = scratch::problems(&out) {
            totals.failures.push(format!(
                "{folder}: the tools do not build cleanly\n{problems}"
            ));
            if !out.status.success() {
                continue;
            }
        }
        eprintln!("built in {:.0} s", start.elapsed().as_secs_f64());
        let bin_dir = scratch::target_dir().join("debug");
        for c in &crates {
            match check_document(&bin_dir.join(&c.bin), c) {
                Ok(report) => {
                    println!("{}", report.line());
                    totals.add(report);
                }
                Err(e) => {
                    println!("FAILED   {}", c.stem);
                    totals.failures.push(format!("{}: {e}", c.stem));
                }
            }
        }
    }
    Ok(totals.print())
}

/// One document's results.
struct Report {
    stem: String,
    calls: usize,
    agreed: usize,
    known: BTreeMap<Rule, usize>,
    differences: Vec<(&'static str, String)>,
}

impl Report {
    fn line(&self) -> String {
        let known: usize = self.known.values().sum();
        format!(
            "{:<8} {:<28} {:>5} calls, {:>5} agree, {:>4} documented differences, {:>4} other differences",
            if self.differences.is_empty() { "ok" } else { "DIFFER" },
            self.stem,
            self.calls,
            self.agreed,
            known,
            self.differences.len()
        )
    }
}

fn check_document(binary: &Path, c: &scratch::Crates) -> Result<Report, String> {
    let calls = cases::calls(&c.api, &[]);
    let google = google_requests(&c.document, &calls)?;
    let mut report = Report {
        stem: c.stem.clone(),
        calls: calls.len(),
        agreed: 0,
        known: BTreeMap::new(),
        differences: Vec::new(),
    };
    for (call, google) in calls.iter().zip(&google) {
        let ours = run_tool(binary, call)?;
        match compare::compare(call, &ours, google) {
            Outcome::Agree => report.agreed += 1,
            Outcome::Known(rule) => *report.known.entry(rule).or_default() += 1,
            Outcome::Differ(kind, what) => report.differences.push((
                kind,
                format!(
                    "{} ({}): {what}\n      tool arguments: {:?}",
                    call.id, call.label, call.args
                ),
            )),
        }
    }
    Ok(report)
}

/// What Google's client builds for each call (one Python process per
/// document).
fn google_requests(document: &Path, calls: &[Call]) -> Result<Vec<Value>, String> {
    let job = serde_json::json!({
        "document": document.display().to_string(),
        "calls": calls.iter().map(|c| &c.python).collect::<Vec<_>>(),
    });
    let script = workspace_root().join("xtask/python/oracle.py");
    let mut child = Command::new(python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python()))?;
    let input = job.to_string();
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!(
            "{}: the Python client failed: {}",
            document.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let answers: Vec<Value> =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("the Python answer: {e}"))?;
    if answers.len() != calls.len() {
        return Err(format!(
            "the Python client answered {} of {} calls",
            answers.len(),
            calls.len()
        ));
    }
    Ok(answers)
}

/// Runs our tool for one call, killed after [`TOOL_DEADLINE`].
fn run_tool(binary: &Path, call: &Call) -> Result<Ours, String> {
    let mut child = Command::new(binary)
        .args(&call.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // No token, no stored credentials, the API's own URL.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", workspace_root().join("target/xtask-oracle/home"))
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let input = call.stdin.clone().unwrap_or_default();
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let id = child.id();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(TOOL_DEADLINE).is_err() {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
        }
    });
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = done.send(());
    let _ = watchdog.join();
    let _ = writer.join();
    Ok(Ours {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[derive(Default)]
struct Totals {
    documents: usize,
    calls: usize,
    agreed: usize,
    known: BTreeMap<Rule, usize>,
    differences: Vec<String>,
    kinds: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Totals {
    fn add(&mut self, report: Report) {
        self.documents += 1;
        self.calls += report.calls;
        self.agreed += report.agreed;
        for (rule, n) in report.known {
            *self.known.entry(rule).or_default() += n;
        }
        // The first few of each kind per document: enough to see the class.
        let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
        for (kind, d) in report.differences {
            *self.kinds.entry(kind).or_default() += 1;
            let n = shown.entry(kind).or_default();
            *n += 1;
            if *n <= 3 {
                self.differences
                    .push(format!("{} [{kind}]: {d}", report.stem));
            }
        }
    }

    /// Prints the totals; whether everything agreed.
    fn print(&self) -> bool {
        for failure in &self.failures {
            println!("\nFAILED {failure}");
        }
        for d in &self.differences {
            println!("\nDIFFER {d}");
        }
        let other: usize = self.kinds.values().sum();
        println!(
            "\n{} documents, {} calls: {} agree, {} documented differences, {other} other differences",
            self.documents,
            self.calls,
            self.agreed,
            self.known.values().sum::<usize>(),
        );
        for (kind, n) in &self.kinds {
            println!("  {n:>5}  other: {kind}");
        }
        for rule in Rule::ALL {
            println!(
                "  {:>5}  {}",
                self.known.get(&rule).copied().unwrap_or(0),
                rule.name()
            );
        }
        self.failures.is_empty() && other == 0
    }
}
