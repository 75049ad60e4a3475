//! Sync between devices and the plant hub, as data: every write a user makes is an [`op`]
//! (signed by the author's device key, stamped with a hybrid logical clock, [`hlc`]); the hub
//! orders what it receives in one countersigned chain ([`receipt`]) that gives the plant-wide
//! order and makes a removed tail detectable. Pure: ids, clocks and keys come in from the caller.

pub mod alarm;
pub mod changeset;
pub mod hlc;
pub mod op;
pub mod procedure;
pub mod receipt;
pub mod wire;

pub use alarm::{AlarmCommand, AlarmOp, Register};
pub use changeset::{DecisionOp, ProposalOp, Verdict};
pub use hlc::Hlc;
pub use op::{LogbookOp, Op, OpError, OpKind, SignedOp, Signer};
pub use procedure::{ActionOp, RunOp, Settled};
pub use receipt::{ChainFault, Countersignature, Receipt, ReceiptStatus, hub_key_id, verify_chain};
pub use wire::{ClientMessage, Delivered, HubMessage};
