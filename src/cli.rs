//! Command-line interface (clap). Later features add their subcommands here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "jumeau",
    version,
    about = "Jumeau — client 3D de la centrale à cycle combiné 2×1 (TG1, TG2, CR1, CR2, TV)",
    long_about = "Without a subcommand, opens the 3D client on the local store.\n\
                  Sans sous-commande, ouvre le client 3D sur le référentiel local."
)]
pub struct Cli {
    /// Directory of the local store (default: the platform's data directory, or $JUMEAU_DATA_DIR).
    #[arg(long, global = true, env = "JUMEAU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The store's encryption key file, kept outside the data directory (default:
    /// `~/.config/jumeau/store-keys/<data directory>-<hash>.key`, made with a new store).
    #[arg(long, global = true, env = "JUMEAU_STORE_KEY_FILE")]
    pub store_key_file: Option<PathBuf>,
    /// Acting user (login); every write is recorded under this account.
    #[arg(long, global = true, default_value_t = jumeau_core::plant::default_user(), env = "JUMEAU_USER")]
    pub user: String,
    /// File whose first line is the acting user's password (default: asked on the terminal).
    /// Keep it readable by its owner only.
    #[arg(long, global = true, env = "JUMEAU_PASSWORD_FILE")]
    pub password_file: Option<PathBuf>,
    /// The current code of your authenticator app, for the actions that need a second factor
    /// (change-set decisions, account management); default: asked on the terminal when needed.
    #[arg(long, global = true, env = "JUMEAU_OTP")]
    pub otp: Option<String>,
    /// Name of this device (workstation, tablet) for signing keys (default: the host name).
    #[arg(long, global = true, env = "JUMEAU_DEVICE")]
    pub device: Option<String>,
    /// The client locks its screen after this long without input (the password unlocks it);
    /// 0 never. Shorter on a tablet (e.g. 5m).
    #[arg(long, global = true, default_value = "15m", value_parser = humantime::parse_duration, env = "JUMEAU_LOCK_AFTER")]
    pub lock_after: std::time::Duration,
    /// Interface language.
    #[arg(long, global = true, value_enum, default_value_t = Lang::Fr, env = "JUMEAU_LANG")]
    pub lang: Lang,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where live values come from: the built-in simulator (default) or a real OPC UA server.
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// OPC UA endpoint of a real plant server (default: the built-in simulator on loopback).
    #[arg(long, global = true, env = "JUMEAU_SOURCE")]
    pub source: Option<String>,
    /// Message security towards a plant's OPC UA server: sign-encrypt (Basic256Sha256, the
    /// default), sign, or none (values unsigned and in clear: for tests on loopback).
    #[arg(
        long,
        global = true,
        default_value = "sign-encrypt",
        env = "JUMEAU_SECURITY"
    )]
    pub security: String,
    /// The OPC UA client's certificate and trust list of servers (default:
    /// `~/.config/jumeau/pki`); `jumeau opcua trust` manages it.
    #[arg(long, global = true, env = "JUMEAU_PKI_DIR")]
    pub pki_dir: Option<PathBuf>,
    /// Log in to the OPC UA server or MQTT broker as this user (default: anonymous). For
    /// `jumeau sim`: the one user its OPC UA server accepts.
    #[arg(long, global = true, env = "JUMEAU_SOURCE_USER")]
    pub source_user: Option<String>,
    /// File whose first line is that user's password (0600).
    #[arg(
        long,
        global = true,
        env = "JUMEAU_SOURCE_PASSWORD_FILE",
        requires = "source_user"
    )]
    pub source_password_file: Option<PathBuf>,
    /// MQTT over TLS (`mqtts://`): the certificate authority the broker's certificate chains to.
    #[arg(long, global = true, env = "JUMEAU_MQTT_CA")]
    pub mqtt_ca: Option<PathBuf>,
    /// Simulator scenario (built-in name or a .toml file).
    #[arg(long, global = true, default_value = jumeau_sim::scenario::DEFAULT)]
    pub scenario: String,
    /// Simulated time against real time, 1–60.
    #[arg(long, global = true, default_value_t = 1.0)]
    pub speed: f64,
    /// Seed of the simulator's noise and grid frequency.
    #[arg(long, global = true, default_value_t = 1)]
    pub seed: u64,
}

impl SourceArgs {
    /// The runtime's source: the plant's endpoint if given, else the built-in simulator.
    pub fn runtime_source(&self) -> anyhow::Result<jumeau_runtime::SourceConfig> {
        Ok(match &self.source {
            Some(url) => jumeau_runtime::SourceConfig::Endpoint {
                url: url.clone(),
                link: self.link()?,
            },
            None => jumeau_runtime::SourceConfig::simulator(&self.scenario, self.speed, self.seed),
        })
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl From<Lang> for jumeau_core::Locale {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Fr => jumeau_core::Locale::Fr,
            Lang::En => jumeau_core::Locale::En,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Log in: checks the password (and at first login, replaces the one-time password by
    /// your own); unseals this device's signing key, made at the first login on a device.
    Login {
        /// Set a new password (asked twice on the terminal, or read from this file).
        #[arg(long)]
        change: bool,
        /// File whose first line is the new password.
        #[arg(long)]
        new_password_file: Option<PathBuf>,
    },
    /// Accounts: list them; engineers create, reset, unlock, revoke keys.
    #[command(subcommand)]
    Account(AccountCommand),
    /// The audit trail (logins, failures, lockouts, every write): engineers and auditors.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Store maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Master data: components with their parameters and tags.
    #[command(subcommand)]
    Components(ComponentsCommand),
    /// Render real frames of the 3D client and write a PNG, then exit.
    Screenshot(ScreenshotArgs),
    /// Master-data change-sets: propose, validate or reject (engineers, four-eyes rule).
    #[command(subcommand)]
    Changesets(ChangesetsCommand),
    /// The signed, hash-chained logbook (main courante).
    #[command(subcommand)]
    Logbook(LogbookCommand),
    /// Run the plant simulator standalone, served over OPC UA (and MQTT).
    Sim(SimArgs),
    /// OPC UA tools.
    #[command(subcommand)]
    Opcua(OpcuaCommand),
    /// Live tag values.
    #[command(subcommand)]
    Tags(TagsCommand),
    /// Alarms: live transitions and alarm-management KPIs
    #[command(subcommand)]
    Alarms(AlarmsCommand),
    /// Guided procedures: list, check a file, dry-run against the simulator
    #[command(subcommand)]
    Procedures(ProceduresCommand),
    /// The plant's 3D scenes (glTF): generate them, check them against master data.
    #[command(subcommand)]
    Scene(SceneCommand),
    /// The plant files (assets/plant/): check edited files before they become a change-set.
    #[command(subcommand)]
    Plant(PlantCommand),
    /// Sync with the plant hub: enrol this device, see what is pending, push and pull.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// The plant hub: PostgreSQL behind a WebSocket API over TLS (`jumeau hub --dev` runs its
    /// own PostgreSQL cluster).
    Hub(jumeau_hub::HubArgs),
}

#[derive(Subcommand, Debug)]
pub enum SyncCommand {
    /// Enrol this device with a hub (engineers, with a second factor): its address, the SHA-256
    /// of its certificate and the device's secret, both from `jumeau hub enrol-device`.
    Enrol {
        /// The hub's address, wss://host:port.
        #[arg(long)]
        hub: String,
        /// SHA-256 of the hub's TLS certificate (hex; colons allowed).
        #[arg(long)]
        certificate_sha256: String,
        /// File whose first line is the device's secret.
        #[arg(long)]
        secret_file: PathBuf,
    },
    /// Where sync stands: in sync, offline with N pending, or the error (asks the hub).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Push the ops written here that the hub has not acknowledged.
    Push {
        #[arg(long)]
        json: bool,
    },
    /// Pull what the hub holds beyond this device's cursor.
    Pull {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Rows of the audit trail, oldest first.
    List {
        #[command(flatten)]
        filter: AuditFilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Export rows to CSV with a signed manifest FILE.sig.json (checked by
    /// `jumeau logbook verify-export FILE` or scripts/verify_export.py).
    Export {
        #[command(flatten)]
        filter: AuditFilterArgs,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args, Debug, Clone, Default)]
pub struct AuditFilterArgs {
    /// From this time (RFC 3339 UTC, or a date).
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this time (a date includes the whole day).
    #[arg(long)]
    pub to: Option<String>,
    /// Only what this login did (or tried: failed logins carry the login typed).
    #[arg(long)]
    pub actor: Option<String>,
    /// Only this action (login, login_failed, lock, validate, revoke…).
    #[arg(long)]
    pub action: Option<String>,
    /// Only this kind of thing (session, user, changeset, device_key, second_factor…).
    #[arg(long)]
    pub entity: Option<String>,
    /// Only the last N rows.
    #[arg(long)]
    pub limit: Option<usize>,
}

#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Every account with its role, state and signing keys.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create an account (engineers); prints its one-time password, to hand over in person.
    Create {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: jumeau_core::Role,
    },
    /// A new one-time password for a user who lost theirs (engineers); their signing keys are
    /// revoked (still verifying what they signed).
    Reset { login: String },
    /// Lift a lockout after repeated failed logins (engineers).
    Unlock { login: String },
    /// Revoke a signing key (a lost tablet): engineers, or the key's owner.
    RevokeKey {
        key_id: String,
        #[arg(long)]
        reason: String,
    },
    /// Replace your own key on this device by a new one (the old one is revoked).
    RotateKey,
    /// Enrol an authenticator app (RFC 6238 TOTP) as your second factor: prints its secret and
    /// otpauth:// URI; the first code (--otp, or asked) confirms it. Engineers need one.
    Totp,
}

#[derive(Subcommand, Debug)]
pub enum PlantCommand {
    /// Parse and check a folder of plant files with the built-in procedures: every problem as
    /// FILE:LINE (exit 1 if any), else what the files describe.
    Check {
        #[arg(default_value = "assets/plant")]
        dir: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum SceneCommand {
    /// Generate one .glb per unit from the layout (DIR/layout.toml when it exists, else the
    /// built-in one) and the store's master data; the same inputs give the same bytes.
    Build {
        #[arg(long, default_value = "scenes")]
        out: PathBuf,
    },
    /// Components without a scene node, scene nodes without a component (exit 1 if any).
    Check {
        /// Scene files to check (the layout's files in DIR); default: the scenes built in.
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProceduresCommand {
    /// The plant's procedures (assets/procedures).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Validate a procedure file against master data (docs/procedure-format.md).
    Check { file: PathBuf },
    /// Propose a new or revised procedure file as a master-data change-set (another engineer
    /// validates it with `jumeau changesets validate ID`).
    Propose {
        file: PathBuf,
        #[arg(long)]
        title: String,
    },
    /// Run a procedure against the in-process simulator, one JSON line per step outcome (a
    /// trainer's dry run), at the global --speed (0: as fast as the model goes). Exit 0 when it
    /// completes, 3 when a step is still waiting.
    Run {
        /// Built-in procedure name or a .toml file.
        name: String,
        /// Simulator scenario (built-in name or a .toml file).
        #[arg(long = "sim")]
        scenario: String,
        /// Confirm manual steps, answer decisions "yes" and release holds as this role.
        #[arg(long)]
        confirm_manual_as: Option<jumeau_core::Role>,
        /// Longest simulated time to run (e.g. 3h).
        #[arg(long = "for", value_parser = humantime::parse_duration, default_value = "6h")]
        run_for: std::time::Duration,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AlarmsCommand {
    /// Evaluate the alarm rules on the live source (default: the built-in simulator, see
    /// --scenario) and print each transition; transitions are journalled and signed too.
    Watch {
        /// How long to watch (e.g. 90s, 10m).
        #[arg(long = "for", value_parser = humantime::parse_duration)]
        run_for: std::time::Duration,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Alarm-management KPIs from the journal, against the ISA-18.2 / EEMUA 191 benchmarks.
    Kpi {
        /// Start, RFC 3339 or a date (default: 24 h before --to).
        #[arg(long)]
        from: Option<String>,
        /// End, RFC 3339 or a date (default: now).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct SimArgs {
    /// Address to serve OPC UA on, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:4840")]
    pub opcua: String,
    /// Also publish every tag to this MQTT broker, HOST:PORT (docs/mqtt-format.md).
    #[arg(long)]
    pub mqtt: Option<String>,
    /// Stop after this long (e.g. 90s, 10m); default: run until interrupted.
    #[arg(long = "for", value_parser = humantime::parse_duration)]
    pub run_for: Option<std::time::Duration>,
}

#[derive(Subcommand, Debug)]
pub enum OpcuaCommand {
    /// List a server's variables: node id, browse name, data type, unit where the server gives one.
    Browse {
        endpoint: String,
        #[arg(long)]
        json: bool,
    },
    /// The trust list of server certificates (signed and encrypted connections).
    #[command(subcommand)]
    Trust(TrustCommand),
}

#[derive(Subcommand, Debug)]
pub enum TrustCommand {
    /// Trusted and refused certificates, with their thumbprints and validity.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Trust a refused certificate by its thumbprint (8 digits at least), or a certificate
    /// file (DER or PEM) handed over by the server's administrator.
    Add { certificate: String },
    /// Withdraw trust from a certificate (it goes back among the refused).
    Remove { thumbprint: String },
}

#[derive(Subcommand, Debug)]
pub enum TagsCommand {
    /// Print value updates from an OPC UA server or an MQTT broker, one line each.
    Watch(WatchArgs),
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// opc.tcp://HOST:PORT/…, mqtt://HOST:PORT or mqtts://HOST:PORT (TLS).
    #[arg(long)]
    pub source: String,
    /// Master-data tag names to watch (OPC UA: their nodes; MQTT: their topics).
    #[arg(long = "tag", num_args = 1..)]
    pub tags: Vec<String>,
    /// OPC UA node ids to watch, any server (e.g. ns=2;i=2).
    #[arg(long = "node", num_args = 1..)]
    pub nodes: Vec<String>,
    /// MQTT topic filters (default: jumeau/#).
    #[arg(long = "topic", num_args = 1..)]
    pub topics: Vec<String>,
    /// MQTT: how far ahead of this clock a value's time may be (raise it to watch `jumeau sim`
    /// running faster than real time: its plant time runs ahead).
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    pub max_skew: std::time::Duration,
    /// How long to watch (e.g. 10s, 2m).
    #[arg(long = "for", value_parser = humantime::parse_duration)]
    pub run_for: std::time::Duration,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Sampling interval asked of the server, ms.
    #[arg(long, default_value_t = 500.0)]
    pub sampling_ms: f64,
    /// Publishing interval asked of the server, ms.
    #[arg(long, default_value_t = 500)]
    pub publishing_ms: u64,
}

#[derive(Subcommand, Debug)]
pub enum ChangesetsCommand {
    /// List change-sets with their status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one change-set and its changes (JSON).
    Show { id: i64 },
    /// Propose the changes of a JSON file (`{"changes": [{"op": "upsert_component", …}]}`).
    Propose {
        file: PathBuf,
        #[arg(long)]
        title: String,
    },
    /// Validate and apply a proposed change-set (an engineer other than the proposer).
    Validate {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a proposed change-set, with the reason.
    Reject {
        id: i64,
        #[arg(long)]
        note: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum LogbookCommand {
    /// Append a manual entry, signed by the current user's device key.
    Add {
        /// shift_note, maintenance, emissions, event, operation…
        #[arg(long)]
        category: String,
        #[arg(long)]
        text: String,
        /// Component code or alias (repeatable).
        #[arg(long = "component")]
        components: Vec<String>,
        /// Normative or free tag: ISO55000, IEC62682, IED… (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// A value as `NAME=NUMBER UNIT`, e.g. `NOx=31.5 mg/Nm³` (repeatable).
        #[arg(long = "value")]
        values: Vec<String>,
        /// SHA-256 of an attached file (repeatable).
        #[arg(long = "attachment")]
        attachments: Vec<String>,
        /// Sequence number of the entry this one corrects.
        #[arg(long)]
        corrects: Option<u64>,
        /// Mark as a training (simulator) event.
        #[arg(long)]
        training: bool,
    },
    /// List entries.
    List {
        #[command(flatten)]
        filter: LogFilterArgs,
        /// Only the last N entries.
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Check the chain and every signature; non-zero exit on any fault.
    Verify {
        /// Report only faults of entries recorded from this time (RFC 3339 or date).
        #[arg(long)]
        from: Option<String>,
        /// … up to this time (a date includes the whole day).
        #[arg(long)]
        to: Option<String>,
        /// Only from this device's last entry countersigned by the hub (what the hub's
        /// signature fixes before it is not read again): milliseconds instead of a full pass.
        #[arg(long, conflicts_with_all = ["from", "to"])]
        since_checkpoint: bool,
        #[arg(long)]
        json: bool,
    },
    /// Export entries to CSV or PDF with a signed manifest FILE.sig.json.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        filter: LogFilterArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an exported file against its manifest FILE.sig.json.
    /// Check an export against its manifest: the file's hash, the signature over every field
    /// of the manifest, and that the key is trusted for its signer (registered to them in this
    /// store, or given with --key). Exit 1 with the reasons otherwise.
    VerifyExport {
        file: PathBuf,
        /// Trust this public key (64 hex digits, as handed over by the plant) for any signer.
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Clone, Default)]
pub struct LogFilterArgs {
    /// From this time (RFC 3339 UTC or a date).
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this time (a date includes the whole day).
    #[arg(long)]
    pub to: Option<String>,
    /// Component code or alias.
    #[arg(long)]
    pub component: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub author: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    /// Text search.
    #[arg(long)]
    pub search: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Pdf,
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Create the store if needed, apply pending migrations and the seed master data.
    Migrate,
    /// Check the store: schema version, SQLite integrity, master-data integrity.
    Check {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ComponentsCommand {
    /// List components, optionally of one unit (TG1, TG2, CR1, CR2, TV, BOP).
    List {
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one component (by KKS code or alias) with parameters, tags, alarms and documents.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ScreenshotArgs {
    /// PNG file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// `overview`, or a component code or alias to select and fly to (TG1, 11HAD50BB001…).
    #[arg(long, default_value = "overview")]
    pub view: String,
    /// Window size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1600x900", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Frames to render before capturing (pipelines compile in the first frames).
    #[arg(long, default_value_t = 20)]
    pub frames: u32,
    /// Open the logbook window in the capture.
    #[arg(long)]
    pub logbook: bool,
    /// Wait (up to 90 s) until this alarm is annunciated before capturing; fail otherwise.
    #[arg(long)]
    pub wait_alarm: Option<String>,
    /// Acknowledge every waiting alarm (as --user) once the awaited one shows: colours then hold steady.
    #[arg(long, requires = "wait_alarm")]
    pub acknowledge: bool,
    /// Open the alarm list in the capture.
    #[arg(long)]
    pub alarm_list: bool,
    /// Open the audit trail's window (engineers, auditors).
    #[arg(long)]
    pub audit: bool,
    /// Open the trend window with this tag.
    #[arg(long)]
    pub trend: Option<String>,
    /// Open the P&ID of this circuit (ALI1, VHP, AIR1… see `jumeau components show`).
    #[arg(long)]
    pub pid: Option<String>,
    /// Start a run of this procedure (as --user) and show it.
    #[arg(long)]
    pub procedure: Option<String>,
    /// Open the procedure window on the newest run in progress (one followed from another
    /// device included).
    #[arg(long, conflicts_with = "procedure")]
    pub procedures: bool,
    /// Click (as a mouse would) on the centre of this component as the camera sees it, once
    /// the view has settled: picking selects it and its card opens.
    #[arg(long)]
    pub click: Option<String>,
    /// Once settled, record this many frames and write timings (scene load and spawn, CPU time
    /// of Jumeau's own systems per frame, frame time) as JSON to --bench-out.
    #[arg(long, default_value_t = 0, requires = "bench_out")]
    pub bench_frames: u32,
    #[arg(long)]
    pub bench_out: Option<PathBuf>,
    /// Label every component at any distance (the labels' worst case, for --bench-frames).
    #[arg(long)]
    pub all_labels: bool,
    /// Start on the client's login screen: without a password file, capture the screen; with
    /// --password-file, type that password into it as a person would, then capture what it
    /// opens (the plant) or says (a refusal).
    #[arg(long)]
    pub login_screen: bool,
    /// With --login-screen, on a first login: the new password the screen asks for, typed
    /// twice (the file's first line).
    #[arg(long, requires = "login_screen")]
    pub new_password_file: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("`{s}`: expected WIDTHxHEIGHT, e.g. 1600x900"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (64..=8192).contains(n))
            .ok_or_else(|| format!("`{s}`: sizes must be whole numbers from 64 to 8192"))
    };
    Ok((parse(w)?, parse(h)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_bad_sizes_are_refused() {
        assert_eq!(parse_size("1280x720"), Ok((1280, 720)));
        assert!(parse_size("1280").is_err());
        assert!(parse_size("0x720").is_err());
        assert!(parse_size("axb").is_err());
    }
}
