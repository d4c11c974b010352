//! The clap command tree of a [`Tool`], built from its description at run
//! time (a few microseconds per method), and the method a parse chose.

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::output::Output;
use crate::spec::{Location, Method, Paging, Resource, Tool};

/// The whole tree: global flags, the API's resources and methods, then the
/// extension's commands, `auth` and `completions`.
pub(crate) fn tree<C>(tool: &Tool<C>, extra: Vec<Command>, auth: Command) -> Command {
    let token_env = format!("{}_TOKEN", tool.env_prefix);
    let base_env = format!("{}_BASE_URL", tool.env_prefix);
    let mut root = Command::new(tool.name)
        .about(tool.about)
        .long_about(tool.long_about)
        .version(tool.version)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("token")
                .long("token")
                .env(token_env)
                .hide_env_values(true)
                .global(true)
                .help("OAuth 2.0 access token (never printed)"),
        )
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .env(base_env)
                .global(true)
                .help("Send requests to this URL instead of the API's"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_parser(clap::value_parser!(Output))
                .default_value("json")
                .help("Output format"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .global(true)
                .value_name("SECONDS")
                .value_parser(clap::value_parser!(u64).range(1..=86_400))
                .help("Give up on a request when the server has not answered, or a transfer has not moved, for this long (default 60)"),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Print the request that would be sent as one JSON object (the token redacted) and send nothing; needs no token"),
        );
    root = root.subcommands(level(tool.methods, tool.resources));
    root.subcommands(extra).subcommand(auth).subcommand(
        Command::new("completions")
            .about("Prints a shell completion script")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
}

/// The commands of one level: its methods, then its resources.
fn level<C>(methods: &[Method<C>], resources: &[Resource<C>]) -> Vec<Command> {
    let mut commands: Vec<Command> = methods.iter().map(method).collect();
    commands.extend(resources.iter().map(|r| {
        Command::new(r.name)
            .about(r.about)
            .subcommand_required(true)
            .subcommands(level(r.methods, r.resources))
    }));
    commands
}

fn method<C>(m: &Method<C>) -> Command {
    let mut command = Command::new(m.name).about(m.about).long_about(m.long_about);
    for p in m.params.iter().filter(|p| p.location == Location::Path) {
        let mut arg = Arg::new(p.name)
            .value_name(p.name)
            .required(true)
            .help(p.help);
        if p.repeated {
            arg = arg.num_args(1..).action(ArgAction::Append);
        }
        command = command.arg(arg);
    }
    for p in m.params {
        match p.location {
            Location::Path => {}
            Location::Query => {
                let mut arg = Arg::new(p.name).long(p.name).help(p.help);
                if p.repeated {
                    arg = arg.action(ArgAction::Append);
                }
                if p.required {
                    arg = arg.required(true);
                }
                command = command.arg(arg);
            }
        }
    }
    if let Some(fields) = m.body {
        command = command.arg(
            Arg::new("body")
                .long("body")
                .value_name("FILE")
                .help("The JSON request body: a file, or - for standard input"),
        );
        for f in fields {
            command = command.arg(Arg::new(f.flag).long(f.flag).help(format!(
                "Sets `{}` of the request body",
                crate::printable(f.wire)
            )));
        }
    }
    match m.paging {
        Paging::Items => {
            command = command.arg(
                Arg::new("all")
                    .long("all")
                    .action(ArgAction::SetTrue)
                    .help("Follow every page and print the items as they arrive"),
            )
        }
        Paging::Pages => {
            command = command.arg(
                Arg::new("all")
                    .long("all")
                    .action(ArgAction::SetTrue)
                    .help("Follow every page and print each page as it arrives"),
            )
        }
        Paging::None => {}
    }
    if m.upload {
        command = command
            .arg(
                Arg::new("upload")
                    .long("upload")
                    .value_name("FILE")
                    .help("Upload FILE as the media (with the request as its metadata)"),
            )
            .arg(
                Arg::new("content-type")
                    .long("content-type")
                    .value_name("TYPE")
                    .requires("upload")
                    .help("The media type of --upload (default application/octet-stream)"),
            );
    }
    if m.download {
        command = command.arg(
            Arg::new("download")
                .long("download")
                .value_name("FILE")
                .help(
                "Download the media into FILE (never overwritten; resumed after an interruption)",
            ),
        );
    }
    command
}

/// The subcommand names a parse chose, and the innermost matches.
pub(crate) fn chosen(matches: &ArgMatches) -> (Vec<&str>, &ArgMatches) {
    let mut path = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        path.push(name);
        m = sub;
    }
    (path, m)
}

/// The method a command path names, walking the description level by level.
pub(crate) fn find<'t, C>(tool: &'t Tool<C>, path: &[&str]) -> Option<&'t Method<C>> {
    let (last, resources) = path.split_last()?;
    let (mut methods, mut level) = (tool.methods, tool.resources);
    for name in resources {
        let r = level.iter().find(|r| r.name == *name)?;
        methods = r.methods;
        level = r.resources;
    }
    methods.iter().find(|m| m.name == *last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{BodyField, Param};
    use discovery_runtime::{Client, ClientBuilder, EXAMPLE_API};

    fn run(_: &Client, _: &mut crate::Args<'_>) -> Result<crate::Action, std::process::ExitCode> {
        Err(std::process::ExitCode::SUCCESS)
    }

    const GET: Method<Client> = Method {
        name: "get",
        id: "x.things.parts.get",
        about: "Gets a part",
        long_about: "",
        params: &[
            Param {
                name: "THING",
                help: "",
                location: Location::Path,
                required: true,
                repeated: false,
            },
            Param {
                name: "page-size",
                help: "",
                location: Location::Query,
                required: false,
                repeated: false,
            },
        ],
        body: Some(&[BodyField {
            flag: "title",
            wire: "title",
            quoted: true,
        }]),
        paging: Paging::Items,
        upload: true,
        download: true,
        run,
    };

    static TOOL: Tool<Client> = Tool {
        name: "x",
        about: "",
        long_about: "",
        version: "0",
        env_prefix: "X",
        scopes: &[],
        methods: &[],
        resources: &[Resource {
            name: "things",
            about: "",
            methods: &[],
            resources: &[Resource {
                name: "parts",
                about: "",
                methods: &[GET],
                resources: &[],
            }],
        }],
        builder: || ClientBuilder::new(&EXAMPLE_API),
        probe: None,
    };

    #[test]
    fn the_tree_is_one_clap_accepts_and_parses_to_its_method() {
        let tree = tree(&TOOL, Vec::new(), Command::new("auth"));
        // clap's own check of ids, names and flags (it panics on a clash).
        tree.clone().debug_assert();
        let matches = tree
            .try_get_matches_from([
                "x",
                "-o",
                "table",
                "things",
                "parts",
                "get",
                "T1",
                "--page-size",
                "5",
                "--title",
                "t",
                "--all",
            ])
            .unwrap();
        let (path, m) = chosen(&matches);
        assert_eq!(path, ["things", "parts", "get"]);
        assert_eq!(find(&TOOL, &path).map(|m| m.id), Some("x.things.parts.get"));
        assert!(find(&TOOL, &["things", "get"]).is_none());
        assert!(find(&TOOL, &[]).is_none());
        assert_eq!(m.get_one::<String>("THING").map(String::as_str), Some("T1"));
        assert_eq!(
            matches.get_one::<crate::Output>("output"),
            Some(&crate::Output::Table)
        );
    }
}
