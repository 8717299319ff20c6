//! The contracts' enums as Rust enums. The ABI carries them as `uint8` (the bindings see `u8`);
//! [`SlaStatus::of`] and friends turn them back, unknown values into `Unknown`.

macro_rules! abi_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $value:literal => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version does not know.
            Unknown,
        }

        impl $name {
            /// The variant of ABI value `v`.
            pub fn of(v: u8) -> Self {
                match v {
                    $($value => Self::$variant,)+
                    _ => Self::Unknown,
                }
            }

            /// The ABI value.
            pub fn value(self) -> u8 {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Unknown => u8::MAX,
                }
            }

            /// A lower-case name for tables.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Unknown => "unknown",
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

abi_enum!(
    /// `IOrderMatching.SlaStatus`.
    SlaStatus {
        /// No such SLA.
        None = 0 => "none",
        /// Taking bids.
        Bidding = 1 => "bidding",
        /// Oracles selected; taking requests.
        Active = 2 => "active",
        /// Too few qualifying bids; everyone refunded.
        Failed = 3 => "failed",
        /// Penalties returned.
        Closed = 4 => "closed",
    }
);

abi_enum!(
    /// `IOrderMatching.BidState`.
    BidState {
        /// No bid.
        None = 0 => "none",
        /// Placed, waiting for finalization.
        Pending = 1 => "pending",
        /// Selected; penalty locked.
        Selected = 2 => "selected",
        /// Not selected (or the SLA failed); penalty returned.
        Refunded = 3 => "refunded",
        /// Penalty lost to the purchaser.
        Forfeited = 4 => "forfeited",
        /// Penalty returned at close.
        Released = 5 => "released",
    }
);

abi_enum!(
    /// `IOrderMatching.SessionStatus`.
    SessionStatus {
        /// No such session.
        None = 0 => "none",
        /// Taking commitments.
        Committing = 1 => "committing",
        /// "Committed": taking reveals.
        Revealing = 2 => "revealing",
        /// Paid, penalized, refunded.
        Settled = 3 => "settled",
    }
);

abi_enum!(
    /// `IReputation.Outcome`.
    Outcome {
        /// Revealed an accepted answer.
        Accepted = 0 => "accepted",
        /// Revealed a deviating answer.
        Rejected = 1 => "rejected",
        /// Revealed something else than committed.
        Mismatched = 2 => "mismatched",
        /// Committed, did not reveal.
        Unrevealed = 3 => "unrevealed",
        /// Did not commit in time.
        Missed = 4 => "missed",
        /// The session found no answer.
        Undecided = 5 => "undecided",
    }
);
