//! The store's half of sync without a hub: the outbox written with each entry, and what a
//! store accepts from "the hub" (here receipts signed by a test hub key, as the hub signs
//! them): the chain continued, a repeat ignored, a forged, skipped or mismatched receipt
//! refusing the whole batch with nothing stored.

use ed25519_dalek::SigningKey;
use jumeau_core::logbook::{EntryDraft, GENESIS};
use jumeau_core::sync::receipt::FORMAT;
use jumeau_core::sync::{
    Countersignature, Delivered, Receipt, ReceiptStatus, SignedOp, hub_key_id,
};
use jumeau_store::{Password, Store, StoreError, testing};

const HUB_CERT: &str = "ab";

fn device(dir: &std::path::Path, name: &str, hub: &SigningKey) -> Store {
    let mut store = testing::set_passwords(&dir.join(format!("{name}.sqlite")), name).unwrap();
    store
        .enrol_hub(
            "c.bernard",
            "wss://127.0.0.1:7443",
            &HUB_CERT.repeat(32),
            &Password::new("secret"),
        )
        .unwrap();
    store
        .pin_hub_key(&hex::encode(hub.verifying_key().to_bytes()))
        .unwrap();
    store
}

/// What the hub does with pushed ops: receipts chained after `after` (its last receipt).
fn countersign(
    hub: &SigningKey,
    ops: &[SignedOp],
    after: Option<&Countersignature>,
    first_seq: u64,
) -> Vec<Delivered> {
    let mut prev = after.map_or(GENESIS.to_owned(), Countersignature::hash);
    ops.iter()
        .enumerate()
        .map(|(i, op)| {
            let opened = op.open().unwrap();
            let entry = opened.logbook().ok();
            let cs = Receipt {
                device: opened.device.clone(),
                device_seq: entry.as_ref().map(|(_, body)| body.seq),
                entry_hash: entry.as_ref().map(|(e, _)| e.hash()),
                format: FORMAT.into(),
                hub_key_id: hub_key_id(&hub.verifying_key()),
                hub_seq: first_seq + i as u64,
                op_hash: op.hash(),
                op_id: opened.op_id.clone(),
                prev: prev.clone(),
                reason: None,
                received_at: "2026-12-01T10:00:00.000Z".into(),
                status: ReceiptStatus::Accepted,
            }
            .sign(hub);
            prev = cs.hash();
            Delivered {
                countersignature: cs,
                op: op.clone(),
            }
        })
        .collect()
}

#[test]
fn every_entry_has_its_op_in_the_outbox_and_reaches_another_device_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = SigningKey::from_bytes(&[9; 32]);
    let mut tablet = device(dir.path(), "tablette-3", &hub);
    let mut room = device(dir.path(), "salle", &hub);
    let before = tablet.pending_ops(1000).unwrap().len();
    tablet
        .append_logbook_batch(
            "a.durand",
            &[
                EntryDraft::manual("operation", "Vanne 11LAB10AA001 fermée"),
                EntryDraft::manual("operation", "Pompe B en service"),
            ],
        )
        .unwrap();
    let ops = tablet.pending_ops(1000).unwrap();
    assert_eq!(ops.len(), before + 2);
    let delivered = countersign(&hub, &ops, None, 1);

    let report = room.receive_ops(&delivered).unwrap();
    assert_eq!(report.stored, ops.len());
    let texts: Vec<String> = room
        .logbook(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.body.device == "tablette-3" && e.body.category == "operation")
        .map(|e| e.body.text)
        .collect();
    assert_eq!(texts, ["Vanne 11LAB10AA001 fermée", "Pompe B en service"]);
    // Delivered twice (a reconnect in the middle of a pull): nothing doubles.
    let again = room.receive_ops(&delivered).unwrap();
    assert_eq!(again.stored, 0);
    assert_eq!(room.sync_cursor().unwrap(), ops.len() as u64);

    // The other device's chain is verified here, and a row changed by hand is found.
    let v = room.verify_logbook().unwrap();
    assert_eq!(
        (v.remote_entries, v.remote_faults.len()),
        (ops.len(), 0),
        "{v:?}"
    );
    let conn = testing::connection(&dir.path().join("salle.sqlite"));
    conn.execute_batch(
        "DROP TRIGGER remote_logbook_no_update; \
         UPDATE remote_logbook SET text = 'Vanne ouverte' WHERE text = 'Pompe B en service'",
    )
    .unwrap();
    let v = room.verify_logbook().unwrap();
    assert!(!v.ok());
    assert_eq!(v.remote_faults.len(), 1, "{v:?}");
    assert_eq!(v.remote_faults[0].device, "tablette-3");
    assert_eq!(
        v.remote_faults[0].fault.kind,
        jumeau_core::logbook::FaultKind::Modified
    );

    // The tablet hears its own ops back: confirmed, entries countersigned.
    let own = tablet.receive_ops(&delivered).unwrap();
    assert_eq!(own.own, ops.len());
    assert_eq!(tablet.sync_counts().unwrap().pending, 0);
    let listed = tablet.logbook(&Default::default()).unwrap();
    assert!(
        listed
            .iter()
            .filter(|e| e.body.category == "operation")
            .all(|e| e.countersignature.is_some())
    );
}

#[test]
fn a_forged_skipped_or_mismatched_receipt_refuses_the_batch_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub = SigningKey::from_bytes(&[9; 32]);
    let mut tablet = device(dir.path(), "tablette-3", &hub);
    let mut room = device(dir.path(), "salle", &hub);
    tablet
        .append_logbook("a.durand", &EntryDraft::manual("operation", "Essai"))
        .unwrap();
    let ops = tablet.pending_ops(1000).unwrap();

    let refused = |store: &mut Store, batch: &[Delivered], expect: &str| {
        let err = store.receive_ops(batch).unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid(m) if m.contains(expect)),
            "{err}"
        );
        assert_eq!(store.sync_cursor().unwrap(), 0, "nothing stored");
    };
    // Signed by another key than the pinned hub's.
    let impostor = SigningKey::from_bytes(&[10; 32]);
    refused(
        &mut room,
        &countersign(&impostor, &ops, None, 1),
        "not the trusted one",
    );
    // A gap: the batch starts at 2.
    refused(
        &mut room,
        &countersign(&hub, &ops, None, 2),
        "expected hub sequence 1",
    );
    // The receipt names another op than the one delivered.
    let mut swapped = countersign(&hub, &ops, None, 1);
    let last = swapped.len() - 1;
    swapped[last].op = ops[0].clone();
    if swapped.len() > 1 {
        refused(&mut room, &swapped, "names another op");
    }
    // A changed byte in the op.
    let mut changed = countersign(&hub, &ops, None, 1);
    changed[last].op.op = changed[last].op.op.replace("Essai", "Essaj");
    refused(&mut room, &changed, "another op");
    // The real thing is then accepted.
    room.receive_ops(&countersign(&hub, &ops, None, 1)).unwrap();
    assert_eq!(room.sync_cursor().unwrap(), ops.len() as u64);
}

#[test]
fn a_hub_that_changes_its_key_is_refused_until_enrolled_again() {
    let dir = tempfile::tempdir().unwrap();
    let hub = SigningKey::from_bytes(&[9; 32]);
    let mut room = device(dir.path(), "salle", &hub);
    let other = hex::encode(SigningKey::from_bytes(&[11; 32]).verifying_key().to_bytes());
    let err = room.pin_hub_key(&other).unwrap_err();
    assert!(err.to_string().contains("not the pinned"), "{err}");
    // An operator may not enrol a device; an engineer may.
    let err = room
        .enrol_hub(
            "j.martin",
            "wss://10.0.0.5:7443",
            &HUB_CERT.repeat(32),
            &Password::new("s"),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
}

/// A run started on the tablet and followed in the control room: the control room's two
/// actions on one step reach the tablet in the hub's order, the first applied and the second
/// refused, each settled once; a publication of the run by a device that does not own it is
/// ignored; a follower cannot save the run itself.
#[test]
fn a_shared_run_takes_actions_in_the_hubs_order_and_only_its_owner_publishes_it() {
    use jumeau_core::procedure::{Action, Outcome, Run};
    use jumeau_core::sync::{Op, RunOp, Settled, Signer};
    let dir = tempfile::tempdir().unwrap();
    let hub = SigningKey::from_bytes(&[9; 32]);
    let mut tablet = device(dir.path(), "tablette-3", &hub);
    let mut room = device(dir.path(), "salle", &hub);
    let md = tablet.master_data().unwrap();
    let p = md
        .procedures
        .iter()
        .find(|p| p.name == "cc-start")
        .unwrap()
        .load(&md)
        .unwrap();
    let mut run = Run::start(&p, "a.durand", jumeau_core::Role::Field, 1_000, false);
    let on_tablet = tablet.start_procedure_run(&run, "a.durand").unwrap();
    let mut chain = countersign(&hub, &tablet.pending_ops(1000).unwrap(), None, 1);
    room.receive_ops(&chain).unwrap();
    let followed = room.procedure_runs(true).unwrap();
    let [copy] = &followed[..] else {
        panic!("{followed:?}")
    };
    assert_eq!(copy.owner.as_deref(), Some("tablette-3"));
    assert!(!copy.owned_by("salle"));
    assert_eq!(copy.run, run);
    assert!(
        room.save_procedure_run(copy.id, &copy.run, 1, "j.martin", &[])
            .is_err(),
        "a follower does not save the run"
    );

    // Two confirmations of the same step from the control room, one after the other.
    let first = room
        .send_procedure_action(copy.id, "prestart", &Action::Confirm, "j.martin")
        .unwrap();
    let second = room
        .send_procedure_action(copy.id, "prestart", &Action::Confirm, "m.lefebvre")
        .unwrap();
    let room_ops: Vec<SignedOp> = room
        .pending_ops(1000)
        .unwrap()
        .into_iter()
        .filter(|o| o.open().unwrap().kind == "procedure.action")
        .collect();
    assert_eq!(room_ops.len(), 2);
    // A hostile publication of the tablet's run, signed by a device that does not own it.
    let uid = copy.uid.clone().unwrap();
    let intruder = SigningKey::from_bytes(&[7; 32]);
    let key_id = jumeau_core::logbook::key_id(&intruder.verifying_key().to_bytes());
    let mut forged_run = run.clone();
    forged_run.status = jumeau_core::procedure::RunStatus::Aborted;
    forged_run.events.push(forged_run.events[0].clone());
    let forged = Op::procedure_run(
        Signer {
            author: "j.martin",
            device: "salle",
            key_id: &key_id,
        },
        &RunOp {
            run: serde_json::to_string(&forged_run).unwrap(),
            seq: forged_run.events.len() as u64,
            settled: vec![],
            uid: uid.clone(),
        },
        "forged".into(),
        Default::default(),
    )
    .sign(&intruder);
    let mut more = room_ops.clone();
    more.push(forged);
    let next = countersign(
        &hub,
        &more,
        chain.last().map(|d| &d.countersignature),
        chain.len() as u64 + 1,
    );
    chain.extend(next);
    tablet.receive_ops(&chain).unwrap();
    let still = tablet.procedure_runs(true).unwrap();
    assert_eq!(still[0].run, run, "the forged publication changed nothing");

    // The tablet applies them in the hub's order: the first wins, the second is refused.
    let pending = tablet.pending_procedure_actions("tablette-3").unwrap();
    let order: Vec<&str> = pending.iter().map(|(_, a)| a.op_id.as_str()).collect();
    assert_eq!(order, [first.as_str(), second.as_str()]);
    let applied = &pending[0].1;
    run.act(
        &p,
        &applied.step,
        applied.action.clone(),
        &applied.author,
        jumeau_core::Role::Operator,
        2_000,
    )
    .unwrap();
    let refusal = run
        .clone()
        .act(
            &p,
            "prestart",
            Action::Confirm,
            "m.lefebvre",
            jumeau_core::Role::Engineer,
            2_001,
        )
        .unwrap_err();
    let settled = [
        Settled {
            op_id: first.clone(),
            refused: None,
        },
        Settled {
            op_id: second.clone(),
            refused: Some(refusal.clone()),
        },
    ];
    tablet
        .save_procedure_run(on_tablet, &run, 1, "a.durand", &settled)
        .unwrap();
    assert!(
        tablet
            .pending_procedure_actions("tablette-3")
            .unwrap()
            .is_empty()
    );
    // Settled once: a second settlement changes nothing.
    tablet
        .save_procedure_run(
            on_tablet,
            &run,
            run.events.len(),
            "a.durand",
            &[Settled {
                op_id: second.clone(),
                refused: None,
            }],
        )
        .unwrap();
    let results: Vec<Option<String>> = tablet
        .procedure_actions(&uid)
        .unwrap()
        .into_iter()
        .map(|a| a.result)
        .collect();
    assert_eq!(
        results,
        [
            Some(jumeau_store::APPLIED.to_owned()),
            Some(refusal.clone())
        ]
    );

    // The control room gets the tablet's publication: the run moved and both actions settled.
    let news: Vec<SignedOp> = tablet
        .pending_ops(1000)
        .unwrap()
        .into_iter()
        .filter(|o| o.open().unwrap().kind == "procedure.run")
        .collect();
    let next = countersign(
        &hub,
        &news,
        chain.last().map(|d| &d.countersignature),
        chain.len() as u64 + 1,
    );
    chain.extend(next);
    room.receive_ops(&chain).unwrap();
    let copy = room.procedure_runs(true).unwrap().remove(0);
    assert_eq!(copy.run, run);
    assert_eq!(
        copy.run
            .events
            .iter()
            .filter(|e| e.outcome == Outcome::Confirmed)
            .map(|e| e.user.as_deref())
            .collect::<Vec<_>>(),
        [Some("j.martin")]
    );
    let results: Vec<Option<String>> = room
        .procedure_actions(&uid)
        .unwrap()
        .into_iter()
        .map(|a| a.result)
        .collect();
    assert_eq!(
        results,
        [Some(jumeau_store::APPLIED.to_owned()), Some(refusal)]
    );
}

/// Two consoles write an alarm's shelf while apart: each gets the other's write, and the one
/// with the later clock wins on both (the other kept as superseded); an acknowledgement is
/// never superseded; a person without the right sends nothing.
#[test]
fn an_alarm_register_written_on_two_devices_ends_the_same_on_both() {
    use jumeau_core::sync::{AlarmCommand, AlarmOp};
    let dir = tempfile::tempdir().unwrap();
    let hub = SigningKey::from_bytes(&[9; 32]);
    let mut room = device(dir.path(), "salle", &hub);
    let mut second = device(dir.path(), "console-2", &hub);
    let shelve = AlarmOp {
        at_ms: 1_000,
        code: "11MBA00CE901-TRIP".into(),
        command: AlarmCommand::Shelve {
            until_ms: 1_000 + 1_800_000,
            reason: "capteur en essai".into(),
        },
    };
    let unshelve = AlarmOp {
        command: AlarmCommand::Unshelve,
        ..shelve.clone()
    };
    let ack = AlarmOp {
        command: AlarmCommand::Acknowledge,
        ..shelve.clone()
    };
    let before = (
        room.pending_ops(1000).unwrap().len(),
        second.pending_ops(1000).unwrap().len(),
    );
    room.record_alarm_events(&[], std::slice::from_ref(&shelve), false, Some("j.martin"))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    second
        .record_alarm_events(&[], &[unshelve, ack.clone()], false, Some("j.martin"))
        .unwrap();
    // The field agent may acknowledge but not shelve: refused below any client, nothing sent.
    assert!(
        second
            .record_alarm_events(&[], std::slice::from_ref(&shelve), false, Some("a.durand"))
            .is_err()
    );
    let room_ops = room.pending_ops(1000).unwrap().split_off(before.0);
    let second_ops = second.pending_ops(1000).unwrap().split_off(before.1);
    assert_eq!((room_ops.len(), second_ops.len()), (1, 2));
    let all: Vec<SignedOp> = room_ops.iter().chain(&second_ops).cloned().collect();
    let chain = countersign(&hub, &all, None, 1);
    room.receive_ops(&chain).unwrap();
    second.receive_ops(&chain).unwrap();

    // The room applies the later unshelve and the acknowledgement.
    let here = room.pending_alarm_actions().unwrap();
    assert_eq!(here.len(), 2);
    assert!(here.iter().all(|a| a.superseded_by.is_none()), "{here:?}");
    // The second console keeps the earlier shelf as superseded by its own unshelve.
    let there = second.pending_alarm_actions().unwrap();
    let [lost] = &there[..] else {
        panic!("{there:?}")
    };
    assert_eq!(lost.device, "salle");
    let (_, author, device) = lost.superseded_by.clone().expect("superseded");
    assert_eq!(
        (author.as_str(), device.as_str()),
        ("j.martin", "console-2")
    );
    second
        .settle_alarm_actions(&[], &[(lost.op_id.clone(), "superseded".into())], false)
        .unwrap();
    assert!(second.pending_alarm_actions().unwrap().is_empty());

    // What the room writes next is stamped after everything it received, even from a device
    // whose clock is a minute ahead (within what the hub accepts).
    let ahead = SigningKey::from_bytes(&[5; 32]);
    let key_id = jumeau_core::logbook::key_id(&ahead.verifying_key().to_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let seen = jumeau_core::sync::Hlc {
        wall_ms: now + 60_000,
        counter: 3,
    };
    let early = jumeau_core::sync::Op::alarm_action(
        jumeau_core::sync::Signer {
            author: "j.martin",
            device: "console-3",
            key_id: &key_id,
        },
        &ack,
        "early".into(),
        seen,
    )
    .sign(&ahead);
    let more = countersign(
        &hub,
        &[early],
        chain.last().map(|d| &d.countersignature),
        chain.len() as u64 + 1,
    );
    room.receive_ops(&[chain, more].concat()).unwrap();
    room.append_logbook(
        "j.martin",
        &EntryDraft::manual("operation", "Reprise du quart"),
    )
    .unwrap();
    let next = room
        .pending_ops(1000)
        .unwrap()
        .pop()
        .unwrap()
        .open()
        .unwrap();
    assert!(next.hlc > seen, "{:?} after {seen:?}", next.hlc);
}

/// Pending ops of `kind` written on `store` (oldest first).
fn ops_of(store: &Store, kind: &str) -> Vec<SignedOp> {
    store
        .pending_ops(10_000)
        .unwrap()
        .into_iter()
        .filter(|o| o.open().unwrap().kind == kind)
        .collect()
}

/// `ops` countersigned after `chain`, appended to it.
fn extend(hub: &SigningKey, chain: &mut Vec<Delivered>, ops: &[SignedOp]) {
    let next = countersign(
        hub,
        ops,
        chain.last().map(|d| &d.countersignature),
        chain.len() as u64 + 1,
    );
    chain.extend(next);
}

/// A field agent proposes two corrections of one component on the tablet; an engineer in the
/// control room and another on the tablet validate one each on the same master data. The hub
/// orders the control room's first: on both devices it is applied and the other stays
/// proposed, "needs rebase"; decided again, it applies on both. Master data ends the same.
#[test]
fn changesets_are_decided_in_the_hubs_order_and_a_stale_validation_needs_rebase() {
    use jumeau_core::changeset::{Change, ChangeSetContent, ChangeSetStatus};
    use jumeau_core::sync::changeset::fingerprint;
    let dir = tempfile::tempdir().unwrap();
    let hub = SigningKey::from_bytes(&[9; 32]);
    let mut tablet = device(dir.path(), "tablette-3", &hub);
    let mut room = device(dir.path(), "salle", &hub);
    let md = tablet.master_data().unwrap();
    assert_eq!(fingerprint(&md), fingerprint(&room.master_data().unwrap()));
    let named = |name: &str| {
        let mut c = md.components[0].clone();
        c.name_fr = name.into();
        ChangeSetContent {
            changes: vec![Change::UpsertComponent(c)],
        }
    };
    let x = tablet
        .propose_changeset(
            "a.durand",
            "Plaque relevée",
            &named("Pompe (plaque relevée)"),
        )
        .unwrap();
    let y = tablet
        .propose_changeset("a.durand", "Nom usuel", &named("Pompe (nom usuel)"))
        .unwrap();
    let mut chain = Vec::new();
    extend(&hub, &mut chain, &ops_of(&tablet, "changeset.propose"));
    room.receive_ops(&chain).unwrap();
    let shared: Vec<_> = room
        .changesets()
        .unwrap()
        .into_iter()
        .filter(|c| c.shared.is_some())
        .collect();
    assert_eq!(shared.len(), 2);
    assert!(shared.iter().all(|c| c.status == ChangeSetStatus::Proposed
        && c.proposed_by == "a.durand"
        && c.shared.as_ref().unwrap().origin == "tablette-3"));
    let (room_x, room_y) = (shared[0].id, shared[1].id);

    // Validated on both sides from the same master data: nothing changes before the hub's order.
    room.validate_changeset("c.bernard", room_x, None).unwrap();
    tablet.validate_changeset("m.lefebvre", y, None).unwrap();
    // A second decision on the first one, ordered after it: void, and no rebase for it.
    tablet.reject_changeset("m.lefebvre", x, "doublon").unwrap();
    let waiting = room.changeset(room_x).unwrap();
    assert_eq!(waiting.status, ChangeSetStatus::Proposed);
    assert_eq!(
        waiting.shared.unwrap().pending,
        Some(("validated".into(), "c.bernard".into()))
    );
    assert_eq!(fingerprint(&room.master_data().unwrap()), fingerprint(&md));
    extend(&hub, &mut chain, &ops_of(&room, "changeset.decide"));
    extend(&hub, &mut chain, &ops_of(&tablet, "changeset.decide"));
    room.receive_ops(&chain).unwrap();
    tablet.receive_ops(&chain).unwrap();
    for (store, x, y) in [(&room, room_x, room_y), (&tablet, x, y)] {
        let first = store.changeset(x).unwrap();
        assert_eq!(first.status, ChangeSetStatus::Validated);
        let first = first.shared.unwrap();
        assert_eq!((first.pending, first.needs_rebase), (None, None));
        let stale = store.changeset(y).unwrap();
        assert_eq!(stale.status, ChangeSetStatus::Proposed);
        let why = stale.shared.unwrap().needs_rebase.expect("needs rebase");
        assert!(why.contains("changed since"), "{why}");
        assert_eq!(
            store.master_data().unwrap().components[0].name_fr,
            "Pompe (plaque relevée)"
        );
    }
    assert_eq!(
        fingerprint(&room.master_data().unwrap()),
        fingerprint(&tablet.master_data().unwrap())
    );

    // Reviewed and validated again on the new master data: applied on both.
    tablet
        .validate_changeset("m.lefebvre", y, Some("revu"))
        .unwrap();
    let before = chain.len();
    let again: Vec<SignedOp> = ops_of(&tablet, "changeset.decide")
        .into_iter()
        .filter(|o| !chain[..before].iter().any(|d| d.op == *o))
        .collect();
    assert_eq!(again.len(), 1);
    extend(&hub, &mut chain, &again);
    room.receive_ops(&chain).unwrap();
    tablet.receive_ops(&chain).unwrap();
    for (store, y) in [(&room, room_y), (&tablet, y)] {
        let done = store.changeset(y).unwrap();
        assert_eq!(done.status, ChangeSetStatus::Validated);
        assert_eq!(done.shared.unwrap().needs_rebase, None);
        assert_eq!(
            store.master_data().unwrap().components[0].name_fr,
            "Pompe (nom usuel)"
        );
    }
    assert_eq!(
        fingerprint(&room.master_data().unwrap()),
        fingerprint(&tablet.master_data().unwrap())
    );
}

/// Verification from the last countersigned entry reads only what came after it: a change
/// after the checkpoint or to the checkpoint itself is found, one before it is left to the
/// full verification (the hub's signature fixes it, and the full pass finds it here).
#[test]
fn the_chain_is_verified_from_its_last_countersigned_entry() {
    let dir = tempfile::tempdir().unwrap();
    let hub = SigningKey::from_bytes(&[9; 32]);
    let mut tablet = device(dir.path(), "tablette-3", &hub);
    let drafts: Vec<EntryDraft> = (0..30)
        .map(|i| EntryDraft::manual("operation", &format!("Relevé {i}")))
        .collect();
    tablet.append_logbook_batch("a.durand", &drafts).unwrap();
    let ops = ops_of(&tablet, "logbook.entry");
    let countersigned = countersign(&hub, &ops[..ops.len() - 10], None, 1);
    let acks: Vec<Countersignature> = countersigned
        .iter()
        .map(|d| d.countersignature.clone())
        .collect();
    tablet.acknowledge_ops(&acks).unwrap();
    let head = tablet.verify_logbook().unwrap();
    assert!(head.ok(), "{head:?}");
    let v = tablet.verify_logbook_from_checkpoint().unwrap();
    assert!(v.ok(), "{v:?}");
    let checkpoint_seq = v.first_seq.unwrap();
    assert_eq!(v.checkpoint, Some(acks.len() as u64));
    assert_eq!(v.entries, 11, "the checkpoint and the ten after it");
    assert_eq!(v.last_seq, head.last_seq);

    let conn = testing::connection(&dir.path().join("tablette-3.sqlite"));
    conn.execute_batch("DROP TRIGGER IF EXISTS logbook_no_update")
        .unwrap();
    let edit = |seq: u64, from: &str, to: &str| {
        conn.execute(
            "UPDATE logbook SET body = replace(body, ?2, ?3), text = replace(text, ?2, ?3) \
             WHERE seq = ?1",
            rusqlite::params![seq, from, to],
        )
        .unwrap();
    };
    // Before the checkpoint: fixed by the hub's signature, found by the full pass.
    edit(checkpoint_seq - 3, "Relevé", "Relevâ");
    assert!(tablet.verify_logbook_from_checkpoint().unwrap().ok());
    assert!(!tablet.verify_logbook().unwrap().ok());
    // After it, and the checkpoint itself: found from the checkpoint.
    edit(checkpoint_seq + 4, "Relevé", "Relevâ");
    let v = tablet.verify_logbook_from_checkpoint().unwrap();
    assert!(
        v.faults.iter().any(|f| f.seq == checkpoint_seq + 4),
        "{v:?}"
    );
    edit(checkpoint_seq, "Relevé", "Relevâ");
    let v = tablet.verify_logbook_from_checkpoint().unwrap();
    let f = v
        .faults
        .iter()
        .find(|f| f.seq == checkpoint_seq)
        .expect("checkpoint fault");
    assert!(f.detail.contains("countersigned"), "{f:?}");
}
