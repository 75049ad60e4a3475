//! `jumeau sim` and `jumeau tags watch` with real peers: our simulator over OPC UA, an
//! independent OPC UA server (FreeOpcUa asyncua), a Mosquitto broker.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{json_lines, jumeau, stderr, stdout};

/// A child process killed when the test ends, pass or fail.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a command and waits for a line containing `marker` on its stdout; returns that line.
fn start_until(mut cmd: Command, marker: &str) -> (Peer, String) {
    let mut peer = Peer(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start peer"),
    );
    let out = peer.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && line.contains(marker)
        {
            return (peer, line);
        }
    }
    panic!("peer never printed {marker}");
}

fn sim(data_dir: &std::path::Path, extra: &[&str]) -> (Peer, String) {
    common::set_up(data_dir);
    let mut cmd = common::bare(data_dir, &["sim", "--opcua", "127.0.0.1:0", "--for", "60s"]);
    cmd.args(extra);
    let (peer, line) = start_until(cmd, "OPC UA: ");
    let endpoint = line.split_whitespace().nth(2).unwrap().to_owned();
    (peer, endpoint)
}

#[test]
fn watch_our_simulator_over_opcua() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, endpoint) = sim(dir.path(), &["--speed", "10"]);
    assert!(endpoint.starts_with("opc.tcp://127.0.0.1:"), "{endpoint}");
    let o = jumeau(
        dir.path(),
        &[
            "tags",
            "watch",
            "--source",
            &endpoint,
            "--tag",
            "11MBA00CS101",
            "11MKA10CE110",
            "--for",
            "4s",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&stdout(&o));
    let speed: Vec<_> = lines
        .iter()
        .filter(|l| l["tag"] == "11MBA00CS101")
        .collect();
    assert!(speed.len() >= 2, "one line per update: {lines:?}");
    let last = speed.last().unwrap();
    assert_eq!(last["unit"], "rpm");
    assert_eq!(last["quality"], "good");
    assert!(last["value"].as_f64().unwrap() > 2900.0);
    assert!(last["source_ts"].as_str().unwrap().ends_with('Z') && last["receive_ts"].is_string());
    assert!(
        lines
            .iter()
            .any(|l| l["tag"] == "11MKA10CE110" && l["value"] == true),
        "breaker closed as a boolean"
    );

    let o = jumeau(dir.path(), &["opcua", "browse", &endpoint, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let vars: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let speed = vars
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["node_id"] == "ns=2;s=11MBA00CS101")
        .unwrap();
    assert_eq!(speed["unit"], "rpm");
    assert_eq!(speed["data_type"], "Double");
}

#[test]
fn watch_an_independent_opcua_server() {
    let port = free_port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/opcua_peer.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(port.to_string());
    let (_peer, _) = start_until(cmd, "READY");
    let dir = tempfile::tempdir().unwrap();
    let endpoint = format!("opc.tcp://127.0.0.1:{port}/peer/");
    let o = jumeau(
        dir.path(),
        &[
            "--security",
            "none",
            "tags",
            "watch",
            "--source",
            &endpoint,
            "--node",
            "ns=2;s=Flow",
            "ns=2;s=Running",
            "--for",
            "3s",
            "--json",
            "--sampling-ms",
            "100",
            "--publishing-ms",
            "100",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&stdout(&o));
    let flows: Vec<f64> = lines
        .iter()
        .filter(|l| l["node"] == "ns=2;s=Flow")
        .map(|l| l["value"].as_f64().unwrap())
        .collect();
    assert!(flows.len() >= 5, "{lines:?}");
    assert!(
        flows.windows(2).all(|w| w[1] > w[0]),
        "counts up: {flows:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["node"] == "ns=2;s=Running" && l["value"].is_boolean())
    );
    let o = jumeau(
        dir.path(),
        &["--security", "none", "opcua", "browse", &endpoint],
    );
    assert!(stdout(&o).contains("ns=2;s=Flow"), "{}", stdout(&o));
    // Its only endpoint is unsecured: the default (signed and encrypted) finds none to use.
    let o = jumeau(dir.path(), &["opcua", "browse", &endpoint]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("offers no Basic256Sha256 SignAndEncrypt endpoint"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn mqtt_through_mosquitto_survives_malformed_and_implausible_payloads() {
    let port = free_port();
    let mut broker = Command::new("mosquitto");
    broker.args(["-p", &port.to_string(), "-v"]);
    let broker = Peer(
        broker
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto installed (scripts/setup.sh)"),
    );
    std::thread::sleep(Duration::from_millis(500));
    let dir = tempfile::tempdir().unwrap();
    let mqtt = format!("127.0.0.1:{port}");
    let (_sim, _) = sim(dir.path(), &["--mqtt", &mqtt]);
    // Hostile publisher: garbage, implausible values and a 10 MB message on the plant's
    // topics while the watch runs.
    let huge = dir.path().join("huge.bin");
    std::fs::write(&huge, vec![b'x'; 10 << 20]).unwrap();
    let now = jumeau_tagbus::format_ms(jumeau_tagbus::now_ms());
    let plausible_but = |value: &str, unit: &str, ts: &str| {
        format!(
            "{{\"tag\":\"11MBA00CS101\",\"value\":{value},\"unit\":\"{unit}\",\"quality\":\"good\",\"ts\":\"{ts}\"}}"
        )
    };
    let payloads = vec![
        "not json".to_owned(),
        "{\"tag\":1}".to_owned(),
        "\u{0}\u{1}".to_owned(),
        "{\"tag\":\"x\",\"value\":\"12\",\"unit\":\"bar\",\"quality\":\"good\",\"ts\":\"2026-01-01T00:00:00Z\"}".to_owned(),
        plausible_but("9999.5", "rpm", &now),
        plausible_but("2990", "°C", &now),
        plausible_but("2990", "rpm", "2099-01-01T00:00:00.000Z"),
        plausible_but("2990", "rpm", &now).replace("11MBA00CS101", "12MBA00CS101"),
    ];
    let garbage = std::thread::spawn(move || {
        let publish = |args: &[&str]| {
            let mut all = vec!["-p".to_owned(), port.to_string()];
            all.extend(["-t", "jumeau/TG1/11MBA00/11MBA00CS101"].map(String::from));
            all.extend(args.iter().map(|a| a.to_string()));
            let _ = Command::new("mosquitto_pub").args(&all).status();
        };
        for payload in &payloads {
            std::thread::sleep(Duration::from_millis(200));
            publish(&["-m", payload]);
        }
        publish(&["-f", huge.to_str().unwrap()]);
    });
    let o = jumeau(
        dir.path(),
        &[
            "tags",
            "watch",
            "--source",
            &format!("mqtt://{mqtt}"),
            "--tag",
            "11MBA00CS101",
            "--for",
            "6s",
            "--json",
        ],
    );
    garbage.join().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&stdout(&o));
    assert!(lines.len() >= 4, "{lines:?}");
    // Only the simulator's own values came through: right unit, plausible, not from 2099.
    assert!(
        lines.iter().all(|l| l["tag"] == "11MBA00CS101"
            && l["unit"] == "rpm"
            && l["value"]
                .as_f64()
                .is_some_and(|v| (0.0..4400.0).contains(&v))
            && l["source_ts"]
                .as_str()
                .is_some_and(|t| t.starts_with("20") && !t.starts_with("2099"))),
        "{lines:?}"
    );
    // The 10 MB message was refused without costing the link.
    assert!(!stderr(&o).contains("link lost"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("malformed payloads dropped"),
        "{}",
        stderr(&o)
    );
    drop(broker);
}

#[test]
fn a_server_that_does_not_answer_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = format!("opc.tcp://127.0.0.1:{}/", free_port());
    let o = jumeau(
        dir.path(),
        &[
            "tags", "watch", "--source", &endpoint, "--for", "2s", "--json",
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("cannot connect to opc.tcp://127.0.0.1:"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "no value printed: {}", stdout(&o));
    let o = jumeau(
        dir.path(),
        &["tags", "watch", "--source", "http://example", "--for", "1s"],
    );
    assert!(
        stderr(&o).contains("opc.tcp://, mqtt:// or mqtts://"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn alarms_watch_prints_the_fault_scenarios_alarm_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fast-pump-vibration.toml"
    );
    let out = jumeau(
        dir.path(),
        &[
            "alarms",
            "watch",
            "--scenario",
            fixture,
            "--speed",
            "60",
            "--for",
            "45s",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&stdout(&out));
    let raised = lines
        .iter()
        .find(|l| l["alarm"] == "11LAC10CY111-H" && l["event"] == "raised")
        .unwrap_or_else(|| panic!("no vibration alarm in {lines:?}"));
    assert_eq!(raised["component"], "11LAC10AP001");
    assert_eq!(raised["priority"], "medium");
    assert_eq!(raised["limit"], 4.5);
    assert!(raised["value"].as_f64().unwrap() > 4.5);
    assert!(raised["time"].as_str().unwrap().ends_with('Z'));
    // Nothing else on a healthy block: the fault's alarms only.
    assert!(
        lines.iter().all(|l| l["component"] == "11LAC10AP001"),
        "{lines:?}"
    );
    // The scenario's fault injection is in the logbook as a signed training entry, beside the
    // alarm transitions.
    let entries = common::json(dir.path(), &["logbook", "list", "--json"]);
    let entries = entries.as_array().unwrap();
    let injected = entries
        .iter()
        .find(|e| e["category"] == "simulator")
        .unwrap_or_else(|| panic!("no simulator entry in {entries:?}"));
    assert_eq!(injected["training"], true);
    assert!(
        injected["text"].as_str().unwrap().contains("PumpVibration"),
        "{injected}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e["category"] == "alarm" && e["training"] == true)
    );
    // The journal has it for the KPIs; a malformed period is refused.
    let kpi = jumeau(dir.path(), &["alarms", "kpi", "--from", "yesterday"]);
    assert!(!kpi.status.success());
    assert!(stderr(&kpi).contains("is not a date"), "{}", stderr(&kpi));
}

/// This machine's host name: the simulator's certificate names it, and the client does not
/// take a name for loopback (only 127.0.0.0/8, ::1 and `localhost`), so a server reached by it
/// is as foreign to the client as a plant's.
fn host_name() -> String {
    let name = std::fs::read_to_string("/etc/hostname").unwrap();
    let name = name.trim();
    assert!(
        !name.is_empty() && name != "localhost",
        "a host name is needed"
    );
    name.to_owned()
}

fn browse(dir: &std::path::Path, endpoint: &str, extra: &[&str]) -> std::process::Output {
    let mut args = extra.to_vec();
    args.extend(["opcua", "browse", endpoint, "--json"]);
    jumeau(dir, &args)
}

#[test]
fn an_unknown_server_certificate_is_refused_until_trusted_by_its_thumbprint() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, served) = sim(dir.path(), &[]);
    let endpoint = served.replace("127.0.0.1", &host_name());

    // Signed and encrypted by default: the server's certificate is unknown, so refused.
    let o = browse(dir.path(), &endpoint, &[]);
    assert!(!o.status.success(), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("not in Jumeau's trust list"), "{err}");
    let list = common::json(dir.path(), &["opcua", "trust", "list", "--json"]);
    let certs = list.as_array().unwrap();
    assert_eq!(certs.len(), 1, "{list}");
    assert_eq!(certs[0]["trusted"], false);
    let thumbprint = certs[0]["thumbprint"].as_str().unwrap().to_owned();
    assert!(
        err.contains(&format!("jumeau opcua trust add {thumbprint}")),
        "{err}"
    );

    // Trusted by a person (8 digits are enough): the same connection now works, encrypted.
    common::ok(dir.path(), &["opcua", "trust", "add", &thumbprint[..8]]);
    let o = browse(dir.path(), &endpoint, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let vars: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(vars.as_array().unwrap().len(), 315);

    // Withdrawn: refused again, and said so.
    common::ok(dir.path(), &["opcua", "trust", "remove", &thumbprint]);
    let o = browse(dir.path(), &endpoint, &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not in Jumeau's trust list"));
    let list = common::json(dir.path(), &["opcua", "trust", "list", "--json"]);
    assert_eq!(list[0]["trusted"], false, "{list}");
    // A short or unknown thumbprint is refused with a reason.
    let o = jumeau(dir.path(), &["opcua", "trust", "add", "abc"]);
    assert!(stderr(&o).contains("at least 8"), "{}", stderr(&o));
}

#[test]
fn a_server_that_requires_a_login_refuses_anonymous_and_wrong_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("opcua-password");
    let wrong = dir.path().join("wrong-password");
    std::fs::write(&secret, "vanne-11LBA-ouverte\n").unwrap();
    std::fs::write(&wrong, "pas-le-bon\n").unwrap();
    let login = ["--source-user", "operateur", "--source-password-file"];
    let server_login: Vec<&str> = login
        .iter()
        .copied()
        .chain([secret.to_str().unwrap()])
        .collect();
    let (_sim, endpoint) = sim(dir.path(), &server_login);

    // The built-in simulator on loopback: its certificate is trusted without asking.
    let anonymous = browse(dir.path(), &endpoint, &[]);
    assert!(!anonymous.status.success(), "anonymous accepted");
    let mut wrong_login = login.to_vec();
    wrong_login.push(wrong.to_str().unwrap());
    let o = browse(dir.path(), &endpoint, &wrong_login);
    assert!(!o.status.success(), "a wrong password accepted");
    // No clear endpoint once a login is required: the password would travel in clear.
    let mut clear = server_login.clone();
    clear.extend(["--security", "none"]);
    assert!(!browse(dir.path(), &endpoint, &clear).status.success());

    let o = browse(dir.path(), &endpoint, &server_login);
    assert!(o.status.success(), "{}", stderr(&o));
    let list = common::json(dir.path(), &["opcua", "trust", "list", "--json"]);
    assert_eq!(list[0]["trusted"], true, "{list}");
    assert!(
        !stderr(&o).contains("vanne-11LBA"),
        "the password is never printed"
    );
}

/// A certificate authority and a broker certificate for `localhost` / 127.0.0.1, made with
/// Debian's openssl; returns (CA file, certificate, key).
fn broker_certificates(dir: &std::path::Path, name: &str) -> [std::path::PathBuf; 3] {
    let [ca_key, ca, key, csr, cert, ext] = [
        "ca.key",
        "ca.crt",
        "broker.key",
        "broker.csr",
        "broker.crt",
        "san.ext",
    ]
    .map(|f| dir.join(format!("{name}-{f}")));
    std::fs::write(&ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
    };
    let p = |path: &std::path::PathBuf| path.to_str().unwrap().to_owned();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        &format!("/CN={name} test CA"),
        "-keyout",
        &p(&ca_key),
        "-out",
        &p(&ca),
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &p(&key),
        "-out",
        &p(&csr),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        &p(&csr),
        "-CA",
        &p(&ca),
        "-CAkey",
        &p(&ca_key),
        "-CAcreateserial",
        "-extfile",
        &p(&ext),
        "-out",
        &p(&cert),
    ]);
    [ca, cert, key]
}

#[test]
fn mqtt_over_tls_with_a_login_and_nothing_without() {
    let dir = tempfile::tempdir().unwrap();
    let [ca, cert, key] = broker_certificates(dir.path(), "plant");
    let [other_ca, _, _] = broker_certificates(dir.path(), "other");
    let passwords = dir.path().join("mosquitto.passwd");
    let secret = dir.path().join("mqtt-password");
    std::fs::write(&secret, "turbine-gaz-TG1-2026\n").unwrap();
    let o = Command::new("mosquitto_passwd")
        .args([
            "-c",
            "-b",
            passwords.to_str().unwrap(),
            "operateur",
            "turbine-gaz-TG1-2026",
        ])
        .output()
        .expect("mosquitto_passwd");
    assert!(o.status.success(), "{}", stderr(&o));
    let port = free_port();
    let conf = dir.path().join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!(
            "user root\nlistener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\n\
             allow_anonymous false\npassword_file {}\n",
            ca.display(),
            cert.display(),
            key.display(),
            passwords.display()
        ),
    )
    .unwrap();
    let broker = Peer(
        Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto"),
    );
    std::thread::sleep(Duration::from_millis(500));
    let url = format!("mqtts://localhost:{port}");
    let login = [
        "--mqtt-ca",
        ca.to_str().unwrap(),
        "--source-user",
        "operateur",
        "--source-password-file",
        secret.to_str().unwrap(),
    ];
    let mut sim_args = vec!["--mqtt", url.as_str()];
    sim_args.extend(login);
    let (_sim, _) = sim(dir.path(), &sim_args);
    let watch = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.extend(["tags", "watch", "--source", &url, "--tag", "11MBA00CS101"]);
        args.extend(["--for", "4s", "--json"]);
        jumeau(dir.path(), &args)
    };
    // The simulator's values, through TLS, for the broker's user.
    let o = watch(&login);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&stdout(&o));
    assert!(lines.len() >= 2, "{lines:?}\n{}", stderr(&o));
    assert!(lines.iter().all(|l| l["unit"] == "rpm"), "{lines:?}");
    assert!(
        !stderr(&o).contains("turbine-gaz"),
        "the password is never printed"
    );

    // Anonymous: the broker refuses, nothing arrives.
    let o = watch(&["--mqtt-ca", ca.to_str().unwrap()]);
    assert!(json_lines(&stdout(&o)).is_empty(), "{}", stdout(&o));
    // A broker whose certificate does not chain to the CA given: nothing either.
    let mut wrong_ca = login.to_vec();
    wrong_ca[1] = other_ca.to_str().unwrap();
    let o = watch(&wrong_ca);
    assert!(json_lines(&stdout(&o)).is_empty(), "{}", stdout(&o));
    // A password is never sent in clear to another machine.
    let mut args = login.to_vec();
    args.extend([
        "tags",
        "watch",
        "--source",
        "mqtt://broker.plant.example:1883",
    ]);
    args.extend(["--tag", "11MBA00CS101", "--for", "1s"]);
    let o = jumeau(dir.path(), &args);
    assert!(!o.status.success() || stderr(&o).contains("would travel in clear"));
    assert!(
        stderr(&o).contains("would travel in clear"),
        "{}",
        stderr(&o)
    );
    drop(broker);
}
