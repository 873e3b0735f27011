//! Endpoints (`endpoint`, `participantEndpoint`, `serviceEndpoint`), user agents, feedback and
//! failure info.

use super::keys::{key_bytes, KeyBuf};
use super::{
    Acc, ClientPlatform, Cx, FailureStage, FieldPath, Identity, IdentitySet, ProductFamily,
    ServiceRole, UserFeedbackRating, R,
};
use crate::tokenizer::{Peek, Scalar, Tokenizer};
use crate::value::JsonStr;

/// Strips an optional leading `#` and the namespace, leaving the type's short name.
fn short_type_name(t: &[u8]) -> &[u8] {
    let t = t.strip_prefix(b"#").unwrap_or(t);
    match memchr::memrchr(b'.', t) {
        Some(i) => &t[i + 1..],
        None => t,
    }
}

fn is_callrecords_type(t: &[u8], name: &[u8]) -> bool {
    let t = t.strip_prefix(b"#").unwrap_or(t);
    t.strip_prefix(b"microsoft.graph.callRecords.")
        .is_some_and(|rest| rest == name)
        || t == name
}

/// Which `endpoint` type an endpoint object is, from its `@odata.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EndpointKind {
    /// No `@odata.type`: the declared base type `callRecords.endpoint`.
    #[default]
    Endpoint,
    /// `#microsoft.graph.callRecords.participantEndpoint`.
    Participant,
    /// `#microsoft.graph.callRecords.serviceEndpoint`.
    Service,
    /// Another `@odata.type` (kept in [`Endpoint::odata_type`]).
    Other,
}

/// An endpoint (`caller` or `callee` of a session or segment).
///
/// The view is flat: the `participantEndpoint` properties are filled whenever present, and
/// [`Endpoint::kind`] says which type `@odata.type` named (with or without the leading `#`,
/// before or after the other keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Endpoint<'a> {
    /// The type named by `@odata.type`.
    pub kind: EndpointKind,
    /// `@odata.type`, as in the input.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")
    )]
    pub odata_type: Option<JsonStr<'a>>,
    /// `userAgent`.
    pub user_agent: Option<UserAgent<'a>>,
    /// `associatedIdentity` (participantEndpoint).
    pub associated_identity: Option<Identity<'a>>,
    /// `cpuCoresCount` (participantEndpoint).
    pub cpu_cores_count: Option<i32>,
    /// `cpuName` (participantEndpoint).
    pub cpu_name: Option<JsonStr<'a>>,
    /// `cpuProcessorSpeedInMhz` (participantEndpoint).
    pub cpu_processor_speed_in_mhz: Option<i32>,
    /// `feedback` (participantEndpoint).
    pub feedback: Option<UserFeedback<'a>>,
    /// `identity` (participantEndpoint; deprecated, use `associatedIdentity`).
    pub identity: Option<IdentitySet<'a>>,
    /// `name` (participantEndpoint).
    pub name: Option<JsonStr<'a>>,
}

impl<'a> Endpoint<'a> {
    /// Parses an endpoint-typed field.
    pub(crate) fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = Endpoint::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            match key_bytes(&key, &mut kb) {
                b"@odata.type" => v.odata_type = cx.str(acc, fp.with("@odata.type"))?,
                b"userAgent" => v.user_agent = UserAgent::parse(cx, acc, fp.with("userAgent"))?,
                b"associatedIdentity" => {
                    v.associated_identity = Identity::parse(cx, acc, fp.with("associatedIdentity"))?
                }
                b"cpuCoresCount" => v.cpu_cores_count = cx.i32(acc, fp.with("cpuCoresCount"))?,
                b"cpuName" => v.cpu_name = cx.str(acc, fp.with("cpuName"))?,
                b"cpuProcessorSpeedInMhz" => {
                    v.cpu_processor_speed_in_mhz = cx.i32(acc, fp.with("cpuProcessorSpeedInMhz"))?
                }
                b"feedback" => v.feedback = UserFeedback::parse(cx, acc, fp.with("feedback"))?,
                b"identity" => v.identity = IdentitySet::parse(cx, acc, fp.with("identity"))?,
                b"name" => v.name = cx.str(acc, fp.with("name"))?,
                _ => cx.unknown(acc.at, fp, key)?,
            }
        }
        v.kind = match v.odata_type {
            None => EndpointKind::Endpoint,
            Some(t) => {
                let t = t.raw();
                if is_callrecords_type(t, b"participantEndpoint") {
                    EndpointKind::Participant
                } else if is_callrecords_type(t, b"serviceEndpoint") {
                    EndpointKind::Service
                } else if is_callrecords_type(t, b"endpoint") {
                    EndpointKind::Endpoint
                } else {
                    EndpointKind::Other
                }
            }
        };
        Ok(Some(v))
    }
}

/// Which `userAgent` type a user agent object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum UserAgentKind {
    /// `#microsoft.graph.callRecords.clientUserAgent`, or no `@odata.type` but `platform` or
    /// `productFamily` present.
    Client,
    /// `#microsoft.graph.callRecords.serviceUserAgent`, or no `@odata.type` but `role` present.
    Service,
    /// Neither can be told (the abstract base `callRecords.userAgent`, or another type).
    #[default]
    Unknown,
}

/// A user agent (`userAgent`, abstract; `clientUserAgent` or `serviceUserAgent`). Flat like
/// [`Endpoint`]: every subtype's properties are filled when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct UserAgent<'a> {
    /// The subtype.
    pub kind: UserAgentKind,
    /// `@odata.type`, as in the input.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")
    )]
    pub odata_type: Option<JsonStr<'a>>,
    /// `applicationVersion`.
    pub application_version: Option<JsonStr<'a>>,
    /// `headerValue`.
    pub header_value: Option<JsonStr<'a>>,
    /// `azureADAppId` (client).
    #[cfg_attr(feature = "serde", serde(rename = "azureADAppId"))]
    pub azure_ad_app_id: Option<JsonStr<'a>>,
    /// `communicationServiceId` (client).
    pub communication_service_id: Option<JsonStr<'a>>,
    /// `platform` (client).
    pub platform: Option<ClientPlatform<'a>>,
    /// `productFamily` (client).
    pub product_family: Option<ProductFamily<'a>>,
    /// `role` (service).
    pub role: Option<ServiceRole<'a>>,
}

impl<'a> UserAgent<'a> {
    fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = UserAgent::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            match key_bytes(&key, &mut kb) {
                b"@odata.type" => v.odata_type = cx.str(acc, fp.with("@odata.type"))?,
                b"applicationVersion" => {
                    v.application_version = cx.str(acc, fp.with("applicationVersion"))?
                }
                b"headerValue" => v.header_value = cx.str(acc, fp.with("headerValue"))?,
                b"azureADAppId" => v.azure_ad_app_id = cx.str(acc, fp.with("azureADAppId"))?,
                b"communicationServiceId" => {
                    v.communication_service_id = cx.str(acc, fp.with("communicationServiceId"))?
                }
                b"platform" => v.platform = cx.enumeration(acc, fp.with("platform"))?,
                b"productFamily" => {
                    v.product_family = cx.enumeration(acc, fp.with("productFamily"))?
                }
                b"role" => v.role = cx.enumeration(acc, fp.with("role"))?,
                _ => cx.unknown(acc.at, fp, key)?,
            }
        }
        v.kind = match v.odata_type {
            Some(t) => match short_type_name(t.raw()) {
                b"clientUserAgent" => UserAgentKind::Client,
                b"serviceUserAgent" => UserAgentKind::Service,
                _ => UserAgentKind::Unknown,
            },
            None if v.platform.is_some() || v.product_family.is_some() => UserAgentKind::Client,
            None if v.role.is_some() => UserAgentKind::Service,
            None => UserAgentKind::Unknown,
        };
        Ok(Some(v))
    }
}

/// `callRecords.userFeedback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UserFeedback<'a> {
    /// `rating`.
    pub rating: Option<UserFeedbackRating<'a>>,
    /// `text`.
    pub text: Option<JsonStr<'a>>,
    /// `tokens` (an open set of boolean tokens).
    pub tokens: Option<FeedbackTokens<'a>>,
}

impl<'a> UserFeedback<'a> {
    fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = UserFeedback::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            match key_bytes(&key, &mut kb) {
                b"rating" => v.rating = cx.enumeration(acc, fp.with("rating"))?,
                b"text" => v.text = cx.str(acc, fp.with("text"))?,
                b"tokens" => {
                    v.tokens = cx
                        .raw_object(acc, fp.with("tokens"))?
                        .map(|raw| FeedbackTokens { raw })
                }
                _ => cx.unknown(acc.at, fp, key)?,
            }
        }
        Ok(Some(v))
    }
}

/// `callRecords.feedbackTokenSet`: an open set of boolean tokens (`NoSound`, `Echo`, …), read
/// lazily from the borrowed object text.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedbackTokens<'a> {
    raw: &'a [u8],
}

impl<'a> FeedbackTokens<'a> {
    /// The raw JSON text of the tokens object.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The tokens as `(name, value)` in input order. Members whose value is not a boolean
    /// (including `null`) and `@odata.type` are skipped. Iterating makes one small allocation (the
    /// cursor's buffers).
    pub fn iter(&self) -> impl Iterator<Item = (JsonStr<'a>, bool)> + 'a {
        self.members().filter_map(|(k, b)| Some((k, b?)))
    }

    /// Every member as `(name, value when it is a boolean)`, in input order.
    fn members(&self) -> impl Iterator<Item = (JsonStr<'a>, Option<bool>)> + 'a {
        let mut tok = if self.raw.is_empty() {
            None
        } else {
            Some(Tokenizer::new(self.raw))
        };
        let mut started = false;
        core::iter::from_fn(move || {
            let t = tok.as_mut()?;
            let step = (|| {
                if !started {
                    started = true;
                    t.begin_object()?;
                }
                let Some(k) = t.next_key()? else {
                    return Ok(None);
                };
                if t.peek()? == Peek::Bool {
                    if let Scalar::Bool(b) = t.scalar()? {
                        return Ok(Some((k, Some(b))));
                    }
                } else {
                    t.skip_value()?;
                }
                Ok::<_, crate::Error>(Some((k, None)))
            })();
            match step {
                Ok(Some(item)) => Some(item),
                _ => {
                    tok = None;
                    None
                }
            }
        })
    }

    /// The value of token `name` (compared after decoding escapes), when it is a boolean. A
    /// repeated token has its last value, as in serde_json, even when that one is not a boolean.
    pub fn get(&self, name: &str) -> Option<bool> {
        let mut found = None;
        for (k, b) in self.members() {
            let mut kb: KeyBuf = [0; 64];
            if key_bytes(&k, &mut kb) == name.as_bytes() {
                found = b;
            }
        }
        found
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for FeedbackTokens<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// `callRecords.failureInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FailureInfo<'a> {
    /// `reason`.
    pub reason: Option<JsonStr<'a>>,
    /// `stage`.
    pub stage: Option<FailureStage<'a>>,
}

impl<'a> FailureInfo<'a> {
    /// Parses a failureInfo-typed field.
    pub(crate) fn parse(cx: &mut Cx<'a>, acc: &mut Acc<'a>, fp: FieldPath) -> R<Option<Self>> {
        if !cx.object_start(acc, fp)? {
            return Ok(None);
        }
        let mut v = FailureInfo::default();
        let mut kb: KeyBuf = [0; 64];
        while let Some(key) = cx.tok.next_key()? {
            match key_bytes(&key, &mut kb) {
                b"reason" => v.reason = cx.str(acc, fp.with("reason"))?,
                b"stage" => v.stage = cx.enumeration(acc, fp.with("stage"))?,
                _ => cx.unknown(acc.at, fp, key)?,
            }
        }
        Ok(Some(v))
    }
}

impl core::fmt::Debug for FeedbackTokens<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("FeedbackTokens")
            .field(&super::path::Lossy(self.raw))
            .finish()
    }
}
