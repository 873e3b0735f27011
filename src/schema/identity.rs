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

/// An identity set (`microsoft.graph.identitySet`, or `communicationsIdentitySet` on participants).
/// Open type: other properties are in [`IdentitySet::extras`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct IdentitySet<'a> {
    /// `@odata.type`, when present.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")
    )]
    pub odata_type: Option<JsonStr<'a>>,
    /// `user`.
    pub user: Option<Identity<'a>>,
    /// `application`.
    pub application: Option<Identity<'a>>,
    /// `device`.
    pub device: Option<Identity<'a>>,
    /// `applicationInstance` (communicationsIdentitySet).
    pub application_instance: Option<Identity<'a>>,
    /// `assertedIdentity` (communicationsIdentitySet).
    pub asserted_identity: Option<Identity<'a>>,
    /// `azureCommunicationServicesUser` (communicationsIdentitySet).
    pub azure_communication_services_user: Option<Identity<'a>>,
    /// `encrypted` (communicationsIdentitySet).
    pub encrypted: Option<Identity<'a>>,
    /// `guest` (communicationsIdentitySet).
    pub guest: Option<Identity<'a>>,
    /// `onPremises` (communicationsIdentitySet).
    pub on_premises: Option<Identity<'a>>,
    /// `phone` (communicationsIdentitySet).
    pub phone: Option<Identity<'a>>,
    /// `acsUser` (dynamic property seen in Graph payloads).
    pub acs_user: Option<Identity<'a>>,
    /// `spoolUser` (dynamic property seen in Graph payloads).
    pub spool_user: Option<Identity<'a>>,
    /// `endpointType` (communicationsIdentitySet).
    pub endpoint_type: Option<EndpointType<'a>>,
    /// The other properties.
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "IdentityExtras::is_empty")
    )]
    pub extras: IdentityExtras<'a>,
}

impl<'a> IdentitySet<'a> {
    fn slot(&mut self, k: &[u8]) -> Option<(&mut Option<Identity<'a>>, &'static str)> {
        let i = SET_KEYS.iter().position(|s| s.as_bytes() == k)?;
        let slot = match i {
            0 => &mut self.user,
            1 => &mut self.application,
            2 => &mut self.device,
            3 => &mut self.application_instance,
            4 => &mut self.asserted_identity,
            5 => &mut self.azure_communication_services_user,
            6 => &mut self.encrypted,
            7 => &mut self.guest,
            8 => &mut self.on_premises,
            9 => &mut self.phone,
            10 => &mut self.acs_user,
            _ => &mut self.spool_user,
        };
        Some((slot, SET_KEYS[i]))
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
            if let Some((slot, name)) = v.slot(k) {
                *slot = Identity::parse(cx, acc, fp.with(name))?;
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
