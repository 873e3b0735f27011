//! `microsoft.graph.identity`, `identitySet` / `communicationsIdentitySet`, and the callRecords
//! participants (`organizer_v2`, `participants_v2`) with their administrative units.

use super::keys::{key_bytes, KeyBuf};
use super::lazy::{LazyItem, LazyIter};
use super::{Acc, Cx, EndpointType, FieldErrors, FieldPath, R};
use crate::tokenizer::Tokenizer;
use crate::value::JsonStr;

/// An identity (`microsoft.graph.identity` or a derived type such as `communicationsUserIdentity`
/// or `callRecords.userIdentity`). It is an open type: properties beyond the ones typed here are
/// available through [`Identity::extras`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Identity<'a> {
    /// `@odata.type`, when present.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")
    )]
    pub odata_type: Option<JsonStr<'a>>,
    /// `id`.
    pub id: Option<JsonStr<'a>>,
    /// `displayName`.
    pub display_name: Option<JsonStr<'a>>,
    /// `tenantId` (communications identities; a dynamic property on plain identities).
    pub tenant_id: Option<JsonStr<'a>>,
    /// `userPrincipalName` (`callRecords.userIdentity`, as sent in `associatedIdentity`).
    pub user_principal_name: Option<JsonStr<'a>>,
    /// The other properties (`email`, `hidden`, `applicationType`, …).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "IdentityExtras::is_empty")
    )]
    pub extras: IdentityExtras<'a>,
}

/// The undeclared (dynamic) properties of an open object, read lazily from its raw text.
///
/// Iterating yields `(key, raw value text)` for every key that the view does not type; a string
/// value keeps its quotes. Iterating makes one small allocation (the cursor's buffers).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct IdentityExtras<'a> {
    raw: &'a [u8],
    set: bool,
    any: bool,
}

fn typed_identity_key(k: &[u8]) -> bool {
    matches!(
        k,
        b"id" | b"displayName" | b"tenantId" | b"userPrincipalName" | b"@odata.type"
    )
}

fn typed_set_key(k: &[u8]) -> bool {
    SET_KEYS.iter().any(|s| s.as_bytes() == k) || matches!(k, b"endpointType" | b"@odata.type")
}

impl<'a> IdentityExtras<'a> {
    /// True when the object had no other properties.
    pub fn is_empty(&self) -> bool {
        !self.any
    }

    /// The raw text of the whole object.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The extra properties as `(key, raw value text)`.
    pub fn iter(&self) -> impl Iterator<Item = (JsonStr<'a>, &'a [u8])> + 'a {
        let set = self.set;
        let raw = self.raw;
        let mut tok = if self.any {
            Some(Tokenizer::new(raw))
        } else {
            None
        };
        let mut started = false;
        core::iter::from_fn(move || loop {
            let t = tok.as_mut()?;
            let step = (|| {
                if !started {
                    started = true;
                    t.begin_object()?;
                }
                let Some(k) = t.next_key()? else {
                    return Ok(None);
                };
                let r = t.skip_value()?;
                Ok::<_, crate::Error>(Some((k, r)))
            })();
            match step {
                Ok(Some((k, r))) => {
                    let mut kb: KeyBuf = [0; 64];
                    let kk = key_bytes(&k, &mut kb);
                    let typed = if set {
                        typed_set_key(kk)
                    } else {
                        typed_identity_key(kk)
                    };
                    if typed {
                        continue;
                    }
                    return Some((k, raw.get(r).unwrap_or(&[])));
                }
                _ => {
                    tok = None;
                    return None;
                }
            }
        })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for IdentityExtras<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.iter()
                .map(|(k, v)| (k, String::from_utf8_lossy(v).into_owned())),
        )
    }
}

impl<'a> Identity<'a> {
    /// Parses an identity-typed field (`null` or a wrong type gives `None`).
    pub(crate) fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        let start = cx.tok.offset();
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = Identity::default();
        let mut any = false;
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            match key_bytes(&key, &mut kb) {
                b"id" => v.id = cx.str(acc, fp.with("id"))?,
                b"displayName" => v.display_name = cx.str(acc, fp.with("displayName"))?,
                b"tenantId" => v.tenant_id = cx.str(acc, fp.with("tenantId"))?,
                b"userPrincipalName" => {
                    v.user_principal_name = cx.str(acc, fp.with("userPrincipalName"))?
                }
                b"@odata.type" => v.odata_type = cx.str(acc, fp.with("@odata.type"))?,
                _ => {
                    any = true;
                    cx.tok.skip_value()?;
                }
            }
        }
        let end = cx.tok.offset();
        v.extras = IdentityExtras {
            raw: cx.slice(start..end),
            set: false,
            any,
        };
        Ok(Some(v))
    }
}

const SET_KEYS: [&str; 12] = [
    "user",
    "application",
    "device",
    "applicationInstance",
    "assertedIdentity",
    "azureCommunicationServicesUser",
    "encrypted",
    "guest",
    "onPremises",
    "phone",
    "acsUser",
    "spoolUser",
];

/// The identity slots of an identity set, in this crate's canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// `user`.
    User,
    /// `application`.
    Application,
    /// `device`.
    Device,
    /// `applicationInstance` (communicationsIdentitySet).
    ApplicationInstance,
    /// `assertedIdentity` (communicationsIdentitySet).
    AssertedIdentity,
    /// `azureCommunicationServicesUser` (communicationsIdentitySet).
    AzureCommunicationServicesUser,
    /// `encrypted` (communicationsIdentitySet).
    Encrypted,
    /// `guest` (communicationsIdentitySet).
    Guest,
    /// `onPremises` (communicationsIdentitySet).
    OnPremises,
    /// `phone` (communicationsIdentitySet).
    Phone,
    /// `acsUser` (a dynamic property seen in Graph payloads).
    AcsUser,
    /// `spoolUser` (a dynamic property seen in Graph payloads).
    SpoolUser,
}

impl IdentityKind {
    /// Every kind, in canonical order.
    pub const ALL: [IdentityKind; 12] = [
        IdentityKind::User,
        IdentityKind::Application,
        IdentityKind::Device,
        IdentityKind::ApplicationInstance,
        IdentityKind::AssertedIdentity,
        IdentityKind::AzureCommunicationServicesUser,
        IdentityKind::Encrypted,
        IdentityKind::Guest,
        IdentityKind::OnPremises,
        IdentityKind::Phone,
        IdentityKind::AcsUser,
        IdentityKind::SpoolUser,
    ];

    /// The property name.
    pub fn as_str(&self) -> &'static str {
        SET_KEYS[*self as usize]
    }

    fn from_key(k: &[u8]) -> Option<Self> {
        let i = SET_KEYS.iter().position(|s| s.as_bytes() == k)?;
        Self::ALL.get(i).copied()
    }
}

/// How many identities an [`IdentitySet`] keeps inline; a set with more is re-read from its
/// text on access (a cold path that allocates the cursor's buffers).
pub const IDENTITY_SET_INLINE: usize = 3;

/// An identity set (`microsoft.graph.identitySet`, or `communicationsIdentitySet` on participants).
/// Open type: other properties are in [`IdentitySet::extras`].
///
/// The identities are read with [`IdentitySet::get`] or the named accessors ([`IdentitySet::user`],
/// …). A key given `null` has no identity. The view keeps up to [`IDENTITY_SET_INLINE`]
/// identities inline so that records stay small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IdentitySet<'a> {
    /// `@odata.type`, when present.
    pub odata_type: Option<JsonStr<'a>>,
    /// `endpointType` (communicationsIdentitySet).
    pub endpoint_type: Option<EndpointType<'a>>,
    entries: [Option<(IdentityKind, Identity<'a>)>; IDENTITY_SET_INLINE],
    overflow: bool,
    /// The other properties.
    pub extras: IdentityExtras<'a>,
}

macro_rules! identity_accessors {
    ($($(#[$m:meta])* $name:ident => $kind:ident,)*) => {
        $(
            $(#[$m])*
            pub fn $name(&self) -> Option<Identity<'a>> {
                self.get(IdentityKind::$kind)
            }
        )*
    };
}

impl<'a> IdentitySet<'a> {
    /// The identity in slot `kind`.
    pub fn get(&self, kind: IdentityKind) -> Option<Identity<'a>> {
        if self.overflow {
            return self.reread(kind);
        }
        self.entries
            .iter()
            .flatten()
            .find(|(k, _)| *k == kind)
            .map(|(_, i)| *i)
    }

    identity_accessors! {
        /// `user`.
        user => User,
        /// `application`.
        application => Application,
        /// `device`.
        device => Device,
        /// `applicationInstance`.
        application_instance => ApplicationInstance,
        /// `assertedIdentity`.
        asserted_identity => AssertedIdentity,
        /// `azureCommunicationServicesUser`.
        azure_communication_services_user => AzureCommunicationServicesUser,
        /// `encrypted`.
        encrypted => Encrypted,
        /// `guest`.
        guest => Guest,
        /// `onPremises`.
        on_premises => OnPremises,
        /// `phone`.
        phone => Phone,
        /// `acsUser`.
        acs_user => AcsUser,
        /// `spoolUser`.
        spool_user => SpoolUser,
    }

    /// The identities present, in canonical [`IdentityKind`] order.
    pub fn iter(&self) -> impl Iterator<Item = (IdentityKind, Identity<'a>)> + '_ {
        IdentityKind::ALL
            .iter()
            .filter_map(move |k| self.get(*k).map(|i| (*k, i)))
    }

    #[cold]
    fn reread(&self, kind: IdentityKind) -> Option<Identity<'a>> {
        let raw = self.extras.raw;
        let mut cx = Cx::new(Tokenizer::new(raw), raw, 0, false, false, Vec::new());
        let mut acc = Acc::new(super::Path::document());
        let mut found = None;
        let r = (|| {
            cx.tok.begin_object()?;
            let mut kb: KeyBuf = [0; 64];
            while let Some(key) = cx.tok.next_key()? {
                if IdentityKind::from_key(key_bytes(&key, &mut kb)) == Some(kind) {
                    found = Identity::parse(&mut cx, &mut acc, FieldPath::new())?;
                } else {
                    cx.tok.skip_value()?;
                }
            }
            Ok::<_, crate::Error>(())
        })();
        r.ok().and(found)
    }

    fn put(&mut self, kind: IdentityKind, v: Option<Identity<'a>>) {
        // Last one wins: replace or clear an existing entry of the same kind.
        for slot in self.entries.iter_mut() {
            if matches!(slot, Some((k, _)) if *k == kind) {
                *slot = v.map(|i| (kind, i));
                return;
            }
        }
        let Some(v) = v else { return };
        match self.entries.iter_mut().find(|s| s.is_none()) {
            Some(slot) => *slot = Some((kind, v)),
            None => self.overflow = true,
        }
    }

    /// Parses an identity-set-typed field.
    pub(crate) fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        let start = cx.tok.offset();
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = IdentitySet::default();
        let mut any = false;
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            let k = key_bytes(&key, &mut kb);
            if let Some(kind) = IdentityKind::from_key(k) {
                let id = Identity::parse(cx, acc, fp.with(kind.as_str()))?;
                v.put(kind, id);
                continue;
            }
            match k {
                b"endpointType" => {
                    v.endpoint_type = cx.enumeration(acc, fp.with("endpointType"))?
                }
                b"@odata.type" => v.odata_type = cx.str(acc, fp.with("@odata.type"))?,
                _ => {
                    any = true;
                    cx.tok.skip_value()?;
                }
            }
        }
        let end = cx.tok.offset();
        v.extras = IdentityExtras {
            raw: cx.slice(start..end),
            set: true,
            any,
        };
        Ok(Some(v))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for IdentitySet<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        if let Some(t) = &self.odata_type {
            m.serialize_entry("@odata.type", t)?;
        }
        for (k, i) in self.iter() {
            m.serialize_entry(k.as_str(), &i)?;
        }
        if let Some(t) = &self.endpoint_type {
            m.serialize_entry("endpointType", t)?;
        }
        if !self.extras.is_empty() {
            m.serialize_entry("extras", &self.extras)?;
        }
        m.end()
    }
}

impl<'a> LazyItem<'a> for IdentitySet<'a> {
    fn parse_item(cx: &mut Cx<'a>, acc: &mut Acc<'a>) -> R<Option<Self>> {
        IdentitySet::parse(cx, acc, FieldPath::new())
    }
}

/// The deprecated `callRecord.participants`: a lazy array of identity sets.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct IdentitySets<'a> {
    pub(crate) raw: &'a [u8],
}

impl<'a> IdentitySets<'a> {
    /// The elements, parsed on demand (`null` elements skipped).
    pub fn iter(&self) -> LazyIter<'a, IdentitySet<'a>> {
        LazyIter::new(self.raw)
    }

    /// The raw JSON text of the array.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
}

/// `callRecords.administrativeUnitInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AdministrativeUnitInfo<'a> {
    /// `id`.
    pub id: Option<JsonStr<'a>>,
}

impl<'a> LazyItem<'a> for AdministrativeUnitInfo<'a> {
    fn parse_item(cx: &mut Cx<'a>, acc: &mut Acc<'a>) -> R<Option<Self>> {
        let fp = FieldPath::new();
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = AdministrativeUnitInfo::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            match key_bytes(&key, &mut kb) {
                b"id" => v.id = cx.str(acc, fp.with("id"))?,
                _ => {
                    cx.tok.skip_value()?;
                }
            }
        }
        Ok(Some(v))
    }
}

/// `administrativeUnitInfos`: a lazy array.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct AdministrativeUnitInfos<'a> {
    pub(crate) raw: &'a [u8],
}

impl<'a> AdministrativeUnitInfos<'a> {
    /// The elements, parsed on demand.
    pub fn iter(&self) -> LazyIter<'a, AdministrativeUnitInfo<'a>> {
        LazyIter::new(self.raw)
    }
}

/// A participant (`callRecords.participant` or `callRecords.organizer`, both
/// `callRecords.participantBase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Participant<'a> {
    /// `@odata.type`, when present.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")
    )]
    pub odata_type: Option<JsonStr<'a>>,
    /// `id`.
    pub id: Option<JsonStr<'a>>,
    /// `identity` (a `communicationsIdentitySet`).
    pub identity: Option<IdentitySet<'a>>,
    /// `administrativeUnitInfos`.
    pub administrative_unit_infos: Option<AdministrativeUnitInfos<'a>>,
    /// Value errors of an element of `participants_v2` (for `organizer_v2` they are on the
    /// call record).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "FieldErrors::is_empty")
    )]
    pub errors: FieldErrors<'a>,
}

impl<'a> Participant<'a> {
    /// Parses a participant-typed field.
    pub(crate) fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = Participant::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            match key_bytes(&key, &mut kb) {
                b"id" => v.id = cx.str(acc, fp.with("id"))?,
                b"identity" => v.identity = IdentitySet::parse(cx, acc, fp.with("identity"))?,
                b"administrativeUnitInfos" => {
                    v.administrative_unit_infos = cx
                        .raw_array(acc, fp.with("administrativeUnitInfos"))?
                        .map(|raw| AdministrativeUnitInfos { raw })
                }
                b"@odata.type" => v.odata_type = cx.str(acc, fp.with("@odata.type"))?,
                _ => cx.unknown(acc.at, fp, key)?,
            }
        }
        Ok(Some(v))
    }
}

impl<'a> LazyItem<'a> for Participant<'a> {
    fn parse_item(cx: &mut Cx<'a>, acc: &mut Acc<'a>) -> R<Option<Self>> {
        let mut p = Participant::parse(cx, acc, FieldPath::new())?;
        if let Some(p) = p.as_mut() {
            p.errors = acc.errs;
        }
        Ok(p)
    }
}

/// `participants_v2`: a lazy array of participants.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Participants<'a> {
    pub(crate) raw: &'a [u8],
}

impl<'a> Participants<'a> {
    /// The elements, parsed on demand (`null` elements skipped).
    pub fn iter(&self) -> LazyIter<'a, Participant<'a>> {
        LazyIter::new(self.raw)
    }

    /// The raw JSON text of the array.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }
}

#[cfg(feature = "serde")]
mod ser_impls {
    use super::*;

    impl serde::Serialize for IdentitySets<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.iter())
        }
    }

    impl serde::Serialize for AdministrativeUnitInfos<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.iter())
        }
    }

    impl serde::Serialize for Participants<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.iter())
        }
    }
}

impl core::fmt::Debug for IdentityExtras<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("IdentityExtras")
            .field(&super::path::Lossy(self.raw))
            .finish()
    }
}

impl core::fmt::Debug for IdentitySets<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("IdentitySets")
            .field(&super::path::Lossy(self.raw))
            .finish()
    }
}

impl core::fmt::Debug for AdministrativeUnitInfos<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("AdministrativeUnitInfos")
            .field(&super::path::Lossy(self.raw))
            .finish()
    }
}

impl core::fmt::Debug for Participants<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Participants")
            .field(&super::path::Lossy(self.raw))
            .finish()
    }
}
