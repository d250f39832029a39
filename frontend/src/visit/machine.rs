//! The waiting-room rules as a pure state machine: what a patient, guest or
//! clinician sees, from what their own connection and the room report. No
//! browser APIs, so every order of joins and leaves is tested natively.

use api_types::Role;
use std::collections::BTreeMap;

/// Why a visit ended for this person, worded by the screen that shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// They pressed Leave.
    Left,
    /// The clinician ended the visit for everyone.
    ClinicianEnded,
    /// The same link was opened in another tab or device (Twilio 53205).
    JoinedElsewhere,
    /// The patient is in the visit on another device, which keeps its place.
    OpenElsewhere,
    /// The video token ran out (Twilio 20104).
    TokenExpired,
    /// The video service closed the room (Twilio 53118).
    RoomEnded,
    /// The connection failed and could not be restored.
    ConnectionLost,
}

/// Everything that changes what the screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Join pressed: connecting starts.
    LocalJoin,
    /// The room is connected.
    LocalConnected,
    /// Connecting failed: back to the check, to try again.
    LocalJoinFailed,
    LocalLeave,
    LocalReconnecting,
    LocalReconnected,
    LocalDisconnected(EndReason),
    /// Roles come from identities (`provider.…`), never from names.
    RemoteJoined(String),
    RemoteLeft(String),
    RemoteReconnecting(String),
    RemoteReconnected(String),
}

/// The screen to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    PreJoin,
    Joining,
    WaitingRoom {
        /// A clinician was here and left (or dropped): say they stepped out.
        clinician_stepped_out: bool,
        /// Interpreters or relatives in the room.
        guests: usize,
        reconnecting: bool,
    },
    InCall {
        reconnecting: bool,
    },
    Ended(EndReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    PreJoin,
    Joining,
    Connected,
    Ended(EndReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub role: Role,
    pub reconnecting: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitState {
    me: Role,
    phase: Phase,
    reconnecting: bool,
    remotes: BTreeMap<String, Remote>,
    clinician_stepped_out: bool,
}

impl VisitState {
    pub fn new(me: Role) -> Self {
        Self {
            me,
            phase: Phase::PreJoin,
            reconnecting: false,
            remotes: BTreeMap::new(),
            clinician_stepped_out: false,
        }
    }

    pub fn remotes(&self) -> &BTreeMap<String, Remote> {
        &self.remotes
    }

    fn in_room(&self) -> bool {
        matches!(self.phase, Phase::Joining | Phase::Connected)
    }

    fn clinician_present(&self) -> bool {
        self.remotes.values().any(|r| r.role == Role::Provider)
    }

    fn end(&mut self, reason: EndReason) {
        self.phase = Phase::Ended(reason);
        self.reconnecting = false;
        self.remotes.clear();
        self.clinician_stepped_out = false;
    }

    pub fn apply(&mut self, input: Input) {
        match input {
            Input::LocalJoin => {
                if matches!(self.phase, Phase::PreJoin | Phase::Ended(_)) {
                    self.phase = Phase::Joining;
                }
            }
            Input::LocalConnected => {
                if self.phase == Phase::Joining {
                    self.phase = Phase::Connected;
                }
            }
            Input::LocalJoinFailed => {
                if self.phase == Phase::Joining {
                    self.phase = Phase::PreJoin;
                }
            }
            Input::LocalLeave => {
                if self.in_room() {
                    self.end(EndReason::Left);
                }
            }
            Input::LocalReconnecting => self.reconnecting = self.in_room(),
            Input::LocalReconnected => self.reconnecting = false,
            Input::LocalDisconnected(reason) => {
                if self.in_room() {
                    self.end(reason);
                }
            }
            Input::RemoteJoined(identity) => {
                if let (true, Some(role)) = (self.in_room(), Role::from_identity(&identity)) {
                    if role == Role::Provider {
                        self.clinician_stepped_out = false;
                    }
                    self.remotes.insert(
                        identity,
                        Remote {
                            role,
                            reconnecting: false,
                        },
                    );
                }
            }
            Input::RemoteLeft(identity) => {
                let left = self.remotes.remove(&identity);
                if left.is_some_and(|r| r.role == Role::Provider) && !self.clinician_present() {
                    self.clinician_stepped_out = true;
                }
            }
            // A reconnecting remote is still present: no waiting room for a blip.
            Input::RemoteReconnecting(identity) => self.set_remote_reconnecting(&identity, true),
            Input::RemoteReconnected(identity) => self.set_remote_reconnecting(&identity, false),
        }
    }

    fn set_remote_reconnecting(&mut self, identity: &str, reconnecting: bool) {
        if let Some(remote) = self.remotes.get_mut(identity) {
            remote.reconnecting = reconnecting;
        }
    }

    pub fn view(&self) -> View {
        match self.phase {
            Phase::PreJoin => View::PreJoin,
            Phase::Joining => View::Joining,
            Phase::Ended(reason) => View::Ended(reason),
            Phase::Connected if self.me == Role::Provider || self.clinician_present() => {
                View::InCall {
                    reconnecting: self.reconnecting,
                }
            }
            Phase::Connected => View::WaitingRoom {
                clinician_stepped_out: self.clinician_stepped_out,
                guests: self
                    .remotes
                    .values()
                    .filter(|r| r.role == Role::Guest)
                    .count(),
                reconnecting: self.reconnecting,
            },
        }
    }
}

/// What an ended visit's screen offers next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterEnd {
    /// Join the same visit again (through the check, with a fresh token).
    pub rejoin: bool,
    /// A clinician's way back to their list.
    pub back_to_visits: bool,
}

impl EndReason {
    /// A clinician may always go back in or to their list. A patient or
    /// guest may rejoin while their link is valid, unless the visit itself
    /// is over (ended by the clinician, or the room closed).
    pub fn after_end(self, me: Role, link_valid: bool) -> AfterEnd {
        if me == Role::Provider {
            return AfterEnd {
                rejoin: link_valid,
                back_to_visits: true,
            };
        }
        let visit_goes_on = matches!(
            self,
            EndReason::Left
                | EndReason::ConnectionLost
                | EndReason::JoinedElsewhere
                | EndReason::OpenElsewhere
        );
        AfterEnd {
            rejoin: link_valid && visit_goes_on,
            back_to_visits: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_REASONS: [EndReason; 7] = [
        EndReason::Left,
        EndReason::ClinicianEnded,
        EndReason::JoinedElsewhere,
        EndReason::OpenElsewhere,
        EndReason::TokenExpired,
        EndReason::RoomEnded,
        EndReason::ConnectionLost,
    ];
    const CLINICIAN: &str = "provider.c-1";
    const GUEST: &str = "guest.g1";
    const PATIENT: &str = "patient.p1";

    fn connected(me: Role) -> VisitState {
        let mut state = VisitState::new(me);
        state.apply(Input::LocalJoin);
        state.apply(Input::LocalConnected);
        state
    }

    fn waiting(stepped_out: bool, guests: usize) -> View {
        View::WaitingRoom {
            clinician_stepped_out: stepped_out,
            guests,
            reconnecting: false,
        }
    }

    const IN_CALL: View = View::InCall {
        reconnecting: false,
    };

    /// Someone's step in the room's life.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Step {
        Join(Role),
        Leave(Role),
    }

    fn identity_of(role: Role) -> &'static str {
        match role {
            Role::Provider => CLINICIAN,
            Role::Guest => GUEST,
            Role::Patient => PATIENT,
        }
    }

    /// Every interleaving of three people each joining then leaving.
    fn all_orders() -> Vec<Vec<Step>> {
        fn extend(prefix: &mut Vec<Step>, left: &mut [(Role, u8); 3], out: &mut Vec<Vec<Step>>) {
            if left.iter().all(|(_, n)| *n == 0) {
                out.push(prefix.clone());
                return;
            }
            for i in 0..3 {
                let (role, remaining) = left[i];
                if remaining == 0 {
                    continue;
                }
                prefix.push(if remaining == 2 {
                    Step::Join(role)
                } else {
                    Step::Leave(role)
                });
                left[i].1 -= 1;
                extend(prefix, left, out);
                left[i].1 += 1;
                prefix.pop();
            }
        }
        let mut out = Vec::new();
        extend(
            &mut Vec::new(),
            &mut [(Role::Patient, 2), (Role::Provider, 2), (Role::Guest, 2)],
            &mut out,
        );
        out
    }

    /// Plays `order` as `me` sees it: remote events arrive only while `me` is
    /// in the room, and joining delivers the roster of who is there. After
    /// every step the view must match what the rules say.
    fn check_order(me: Role, order: &[Step]) {
        let mut state = VisitState::new(me);
        let mut present: Vec<Role> = Vec::new();
        let (mut joined, mut left, mut stepped_out) = (false, false, false);
        for &step in order {
            match step {
                Step::Join(role) if role == me => {
                    state.apply(Input::LocalJoin);
                    state.apply(Input::LocalConnected);
                    for other in &present {
                        state.apply(Input::RemoteJoined(identity_of(*other).to_owned()));
                    }
                    joined = true;
                }
                Step::Leave(role) if role == me => {
                    state.apply(Input::LocalLeave);
                    left = true;
                }
                Step::Join(role) => {
                    present.push(role);
                    if joined && !left {
                        state.apply(Input::RemoteJoined(identity_of(role).to_owned()));
                        if role == Role::Provider {
                            stepped_out = false;
                        }
                    }
                }
                Step::Leave(role) => {
                    present.retain(|r| *r != role);
                    if joined && !left {
                        state.apply(Input::RemoteLeft(identity_of(role).to_owned()));
                        if role == Role::Provider {
                            stepped_out = true;
                        }
                    }
                }
            }
            let clinician_here = present.contains(&Role::Provider);
            let expected = if !joined {
                View::PreJoin
            } else if left {
                View::Ended(EndReason::Left)
            } else if me == Role::Provider || clinician_here {
                IN_CALL
            } else {
                waiting(stepped_out, usize::from(present.contains(&Role::Guest)))
            };
            assert_eq!(
                state.view(),
                expected,
                "{me:?} after {order:?}, at {step:?}"
            );
        }
    }

    #[test]
    fn every_order_of_joins_and_leaves_shows_the_right_screen_to_everyone() {
        let orders = all_orders();
        assert_eq!(orders.len(), 90);
        for me in Role::ALL {
            for order in &orders {
                check_order(me, order);
            }
        }
    }

    #[test]
    fn a_patient_alone_waits_and_the_clinician_ends_the_wait() {
        let mut s = connected(Role::Patient);
        assert_eq!(s.view(), waiting(false, 0));
        s.apply(Input::RemoteJoined(GUEST.into()));
        assert_eq!(s.view(), waiting(false, 1), "a guest does not end the wait");
        s.apply(Input::RemoteJoined(CLINICIAN.into()));
        assert_eq!(s.view(), IN_CALL);
        s.apply(Input::RemoteLeft(CLINICIAN.into()));
        assert_eq!(
            s.view(),
            waiting(true, 1),
            "back to waiting, clinician stepped out"
        );
        s.apply(Input::RemoteJoined(CLINICIAN.into()));
        assert_eq!(s.view(), IN_CALL);
    }

    #[test]
    fn a_reconnecting_clinician_keeps_the_call() {
        let mut s = connected(Role::Patient);
        s.apply(Input::RemoteJoined(CLINICIAN.into()));
        s.apply(Input::RemoteReconnecting(CLINICIAN.into()));
        assert_eq!(s.view(), IN_CALL);
        assert!(s.remotes()[CLINICIAN].reconnecting);
        s.apply(Input::RemoteReconnected(CLINICIAN.into()));
        assert!(!s.remotes()[CLINICIAN].reconnecting);
    }

    #[test]
    fn local_reconnecting_shows_a_banner_in_either_screen() {
        let mut s = connected(Role::Patient);
        s.apply(Input::LocalReconnecting);
        assert_eq!(
            s.view(),
            View::WaitingRoom {
                clinician_stepped_out: false,
                guests: 0,
                reconnecting: true
            }
        );
        s.apply(Input::RemoteJoined(CLINICIAN.into()));
        assert_eq!(s.view(), View::InCall { reconnecting: true });
        s.apply(Input::LocalReconnected);
        assert_eq!(s.view(), IN_CALL);
    }

    #[test]
    fn disconnects_end_the_visit_with_their_reason() {
        // Leaving is the person's own input, not a disconnect.
        for reason in ALL_REASONS.into_iter().filter(|r| *r != EndReason::Left) {
            let mut s = connected(Role::Patient);
            s.apply(Input::RemoteJoined(CLINICIAN.into()));
            s.apply(Input::LocalDisconnected(reason));
            assert_eq!(s.view(), View::Ended(reason));
            assert!(s.remotes().is_empty());
            s.apply(Input::RemoteJoined(CLINICIAN.into()));
            assert_eq!(
                s.view(),
                View::Ended(reason),
                "late room events are ignored"
            );
        }
    }

    #[test]
    fn joining_twice_or_rejoining_after_the_end_behave() {
        let mut s = VisitState::new(Role::Patient);
        s.apply(Input::LocalConnected);
        assert_eq!(s.view(), View::PreJoin, "no connection without a join");
        s.apply(Input::LocalJoin);
        s.apply(Input::LocalJoin);
        assert_eq!(s.view(), View::Joining);
        s.apply(Input::LocalConnected);
        s.apply(Input::LocalLeave);
        s.apply(Input::LocalJoin);
        assert_eq!(s.view(), View::Joining, "rejoin after leaving");
    }

    #[test]
    fn a_failed_join_goes_back_to_the_check_and_only_from_joining() {
        let mut s = VisitState::new(Role::Patient);
        s.apply(Input::LocalJoin);
        s.apply(Input::LocalJoinFailed);
        assert_eq!(s.view(), View::PreJoin, "try again from the check");
        s.apply(Input::LocalJoin);
        s.apply(Input::LocalConnected);
        s.apply(Input::LocalJoinFailed);
        assert_eq!(
            s.view(),
            waiting(false, 0),
            "a late failure cannot undo a connection"
        );
    }

    #[test]
    fn identities_without_a_known_role_are_ignored() {
        let mut s = connected(Role::Patient);
        s.apply(Input::RemoteJoined("doctor.x".into()));
        s.apply(Input::RemoteJoined("provider".into()));
        assert_eq!(s.view(), waiting(false, 0));
    }

    #[test]
    fn two_clinicians_leaving_one_at_a_time() {
        let mut s = connected(Role::Patient);
        s.apply(Input::RemoteJoined(CLINICIAN.into()));
        s.apply(Input::RemoteJoined("provider.c-2".into()));
        s.apply(Input::RemoteLeft(CLINICIAN.into()));
        assert_eq!(s.view(), IN_CALL);
        s.apply(Input::RemoteLeft("provider.c-2".into()));
        assert_eq!(s.view(), waiting(true, 0));
    }

    #[test]
    fn an_ended_visit_offers_a_way_back_only_where_one_exists() {
        for reason in ALL_REASONS {
            let clinician = reason.after_end(Role::Provider, true);
            assert!(clinician.rejoin && clinician.back_to_visits, "{reason:?}");
            assert!(!reason.after_end(Role::Provider, false).rejoin);
            for role in [Role::Patient, Role::Guest] {
                let after = reason.after_end(role, true);
                assert!(!after.back_to_visits);
                let goes_on = !matches!(
                    reason,
                    EndReason::ClinicianEnded | EndReason::RoomEnded | EndReason::TokenExpired
                );
                assert_eq!(after.rejoin, goes_on, "{role:?} {reason:?}");
                assert!(!reason.after_end(role, false).rejoin, "an expired link");
            }
        }
    }
}
