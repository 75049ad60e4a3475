//! Prints a scenario's trajectory for a few key tags, one line per interval of simulated time:
//! `cargo run -p jumeau-sim --example trajectory -- hot-start 120 5` (scenario, minutes, step),
//! optionally followed by the tags to print instead of the default columns.

use jumeau_sim::{Scenario, Simulator};

const COLUMNS: [&str; 10] = [
    "11MBA00CS101",
    "11MKA10CE101",
    "11MBR10CT101",
    "11HAD50CP101",
    "11HAD50CL101",
    "11HAH50CF101",
    "10MAA00CS101",
    "10MKA10CE101",
    "12HAD50CP101",
    "10MAG10CP101",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = Scenario::load(args.first().map(String::as_str).unwrap_or("dispatch"))?;
    let minutes: u32 = args.get(1).map(|m| m.parse()).transpose()?.unwrap_or(60);
    let every: u32 = args
        .get(2)
        .map(|m| m.parse())
        .transpose()?
        .unwrap_or(5)
        .max(1);
    let chosen: Vec<&str> = args.iter().skip(3).map(String::as_str).collect();
    let columns: Vec<&str> = if chosen.is_empty() {
        COLUMNS.to_vec()
    } else {
        chosen
    };
    let md = jumeau_core::plant::embedded().md;
    let mut sim = Simulator::new(&md.tags, scenario, 1);
    let header: Vec<String> = columns.iter().map(|c| format!("{c:>13}")).collect();
    println!("min  {}", header.join(""));
    for m in 0..=minutes {
        if m % every == 0 {
            let row: Vec<String> = columns
                .iter()
                .map(|c| {
                    format!(
                        "{:>13.1}",
                        sim.value(sim.index_of(c).expect("seed tag"))
                            .unwrap_or(f64::NAN)
                    )
                })
                .collect();
            println!("{m:>3}  {}", row.join(""));
        }
        sim.advance(60.0);
    }
    for (t, event) in sim.journal() {
        println!("{:>7.0} s  {event}", t);
    }
    Ok(())
}
