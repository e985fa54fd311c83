//! The closed sets of values that columns hold as text: a user's status, origin, allocation and
//! kind, a role's audience and scope, an inventory row's level. Each is an enum whose text form
//! is the column's value, so neither SQL nor Rust spells these values by hand.

use serde::{Deserialize, Serialize};

/// An enum stored as one of a fixed set of texts: `as_str`, `FromStr`, `Display`, serde as that
/// text, and (on the server) sqlx encoding and decoding through the `Any` driver.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        kind: stringify!($name),
                        text: text.to_owned(),
                    }),
                }
            }
        }

        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> <sqlx::Any as sqlx::Database>::TypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &<sqlx::Any as sqlx::Database>::TypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.as_str(), buf)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: <sqlx::Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                Ok(text.parse()?)
            }
        }
    };
}

/// A stored text that is not one of its enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub text: String,
}

text_enum!(
    /// Whether a user may sign in and holds what their roles grant (a disabled user holds nothing).
    UserStatus {
        Active = "active",
        Disabled = "disabled",
    }
);

text_enum!(
    /// Where a user comes from: created in the console, or by single sign-on (SPEC rule 6).
    Origin {
        Local = "local",
        Sso = "sso",
    }
);

text_enum!(
    /// The licence a user is allocated (analytics: Professional users create content).
    Allocation {
        Professional = "Professional",
        Analyzer = "Analyzer",
    }
);

text_enum!(
    /// A person, or a device that signs in as a user (iot's device users).
    UserKind {
        Human = "human",
        Device = "device",
    }
);

text_enum!(
    /// The tab a global role belongs to: roles for users, or the Admin tab's roles.
    Audience {
        User = "user",
        Admin = "admin",
    }
);

text_enum!(
    /// Whether a global role applies tenant-wide or is assigned per space (SPEC rule 1).
    RoleScope {
        CrossSpace = "cross-space",
        SpaceBound = "space-bound",
    }
);

impl RoleScope {
    /// The seed's word for it (SPEC section 6: `Scope` offers `Cross-Space`, `Space-Specific`).
    pub fn label(self) -> &'static str {
        match self {
            RoleScope::CrossSpace => "Cross-Space",
            RoleScope::SpaceBound => "Space-Specific",
        }
    }
}

impl Audience {
    /// The `Role type` it is shown as (`User`, `Admin`).
    pub fn label(self) -> &'static str {
        match self {
            Audience::User => "User",
            Audience::Admin => "Admin",
        }
    }
}

text_enum!(
    /// An inventory row's level: `All` includes `Read` and `Change` (SPEC section 2).
    InventoryLevel {
        Read = "Read",
        Change = "Change",
        All = "All",
    }
);

text_enum!(
    /// Which roles of an SSO user the tenant's access mapping manages (SPEC rule 6).
    RoleMode {
        /// The mapping decides every role at each sign-in; all of them are locked.
        Reassign = "reassign",
        /// The mapping gives roles once, when SSO creates the user; none are locked.
        OnCreate = "on-create",
        /// The mapping manages only roles named by some rule; the others stay manual.
        Listed = "listed",
    }
);

impl Default for RoleMode {
    /// SPEC section 4: reassigning on every sign-in is the default.
    fn default() -> Self {
        RoleMode::Reassign
    }
}

text_enum!(
    /// How an access-mapping condition compares a claim with its value.
    Operator {
        /// The claim (a string, number or boolean) is the value; for an array, one element is.
        Equals = "equals",
        /// A string claim contains the value; an array claim has an element equal to it.
        Contains = "contains",
        /// The claim (or one element of an array claim) matches the value, a regular expression
        /// that must match the whole text.
        Matches = "matches",
    }
);

impl InventoryLevel {
    /// Whether this granted level includes `wanted`.
    pub fn covers(self, wanted: InventoryLevel) -> bool {
        self == wanted || self == InventoryLevel::All
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_reads_back_from_its_text_and_nothing_else_does() {
        for status in UserStatus::ALL {
            assert_eq!(status.as_str().parse::<UserStatus>(), Ok(*status));
        }
        for scope in RoleScope::ALL {
            assert_eq!(scope.to_string().parse::<RoleScope>(), Ok(*scope));
        }
        assert_eq!(
            "Active".parse::<UserStatus>(),
            Err(UnknownValue {
                kind: "UserStatus",
                text: "Active".into()
            })
        );
        assert!(
            serde_json::from_str::<RoleScope>("\"space-specific\"").is_err(),
            "serde accepts only the stored texts"
        );
        assert_eq!(
            serde_json::to_string(&RoleScope::SpaceBound)
                .ok()
                .as_deref(),
            Some("\"space-bound\"")
        );
    }

    #[test]
    fn all_includes_read_and_change_but_not_the_reverse() {
        assert!(InventoryLevel::All.covers(InventoryLevel::Read));
        assert!(InventoryLevel::All.covers(InventoryLevel::Change));
        assert!(!InventoryLevel::Change.covers(InventoryLevel::Read));
        assert!(!InventoryLevel::Read.covers(InventoryLevel::All));
    }
}
