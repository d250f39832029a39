// A stand-in for the twilio-video SDK (2.36.0), served in place of
// twilio-video.min.js so browser tests can drive our binding layer without
// Twilio's servers. It follows the SDK's event API and copies, from the SDK's
// own source (node_modules/twilio-video/lib/), every behaviour Hearth's
// correctness depends on; docs/twilio.md lists them. `window.standIn` lets a
// test play the room's part and see what reached the other participants.
(function () {
  "use strict";

  class EventEmitter {
    constructor() { this._listeners = new Map(); }
    on(event, fn) {
      if (!this._listeners.has(event)) this._listeners.set(event, []);
      this._listeners.get(event).push(fn);
      return this;
    }
    addListener(event, fn) { return this.on(event, fn); }
    removeListener(event, fn) {
      const list = this._listeners.get(event) || [];
      const at = list.indexOf(fn);
      if (at >= 0) list.splice(at, 1);
      return this;
    }
    off(event, fn) { return this.removeListener(event, fn); }
    removeAllListeners() { this._listeners.clear(); return this; }
    emit(event, ...args) {
      for (const fn of [...(this._listeners.get(event) || [])]) fn(...args);
      return true;
    }
    listenerCount() {
      let n = 0;
      for (const list of this._listeners.values()) n += list.length;
      return n;
    }
  }

  class TwilioError extends Error {
    constructor(code, message) { super(message); this.code = code; this.name = "TwilioError"; }
  }

  const MESSAGES = {
    20104: "Access Token expired or expiration date invalid",
    20106: "Invalid Access Token grants",
    53000: "Signaling connection error",
    53001: "Signaling connection disconnected",
    53118: "Room completed",
    53204: "Participant not found",
    53205: "Participant disconnected because of duplicate identity",
    53300: "Track is invalid",
    53405: "Media connection failed",
  };
  const error = (code) => new TwilioError(code, MESSAGES[code] || "Unknown error");

  let sids = 0;
  const sid = (prefix) => prefix + String(++sids).padStart(32, "0");

  /// Emitters are tracked so a test can check that leaving removed every listener.
  const emitters = [];
  const tracked = (emitter) => { emitters.push(emitter); return emitter; };

  /// As the SDK: data sent before a participant has subscribed to our data
  /// track is dropped without error (lib/data/sender.js).
  class LocalDataTrack extends EventEmitter {
    constructor(options) {
      super();
      this.kind = "data";
      this.name = (options && options.name) || "";
      tracked(this);
    }
    send(data) {
      standIn.sent.push(data);
      const room = standIn.room;
      if (!room || room.state === "disconnected") return;
      for (const p of room.participants.values()) {
        if (p.subscribedToUs) p.received.push(data);
      }
    }
  }

  /// LocalAudioTrack / LocalVideoTrack as the SDK has them: `enable(x)`
  /// returns early when the wrapped track's `enabled` already equals `x`
  /// (lib/media/track/localmediatrack.js), and `_trackSender._clones` holds
  /// the copies made to publish it (lib/media/track/sender.js).
  class LocalMediaTrack extends EventEmitter {
    constructor(mediaStreamTrack) {
      super();
      this.kind = mediaStreamTrack.kind;
      this.mediaStreamTrack = mediaStreamTrack;
      this._trackSender = { track: mediaStreamTrack, _clones: new Set() };
      tracked(this);
    }
    get isEnabled() { return this.mediaStreamTrack.enabled; }
    get isStopped() { return this.mediaStreamTrack.readyState === "ended"; }
    enable(enabled = true) {
      if (enabled !== this.mediaStreamTrack.enabled) {
        this.mediaStreamTrack.enabled = enabled;
        this.emit(enabled ? "enabled" : "disabled", this);
      }
      return this;
    }
    disable() { return this.enable(false); }
    stop() { this.mediaStreamTrack.stop(); this.emit("stopped", this); return this; }
  }
  class LocalAudioTrack extends LocalMediaTrack {}
  class LocalVideoTrack extends LocalMediaTrack {}

  /// As the SDK's asLocalTrack (lib/util/index.js).
  function asLocalTrack(track) {
    if (track instanceof LocalMediaTrack || track instanceof LocalDataTrack) return track;
    if (track instanceof MediaStreamTrack) {
      return track.kind === "audio" ? new LocalAudioTrack(track) : new LocalVideoTrack(track);
    }
    throw new TypeError("tracks must be LocalTracks or MediaStreamTracks");
  }

  class RemoteTrack extends EventEmitter {
    constructor(kind, mediaStreamTrack) {
      super();
      this.kind = kind;
      this.sid = sid("MT");
      this.mediaStreamTrack = mediaStreamTrack || null;
      this.isEnabled = true;
      tracked(this);
    }
  }

  class Participant extends EventEmitter {
    constructor(identity) {
      super();
      this.identity = identity;
      this.sid = sid("PA");
      this.tracks = new Map();
      this.audioTracks = new Map();
      this.videoTracks = new Map();
      this.dataTracks = new Map();
      this.state = "connected";
      /// A remote participant: whether it has subscribed to our data track,
      /// and what it received on it.
      this.subscribedToUs = false;
      this.received = [];
      tracked(this);
    }
    _addPublication(publication) {
      this.tracks.set(publication.trackSid, publication);
      this[publication.kind + "Tracks"].set(publication.trackSid, publication);
    }
  }

  /// Publishes our tracks as the SDK does: media goes out as a clone whose
  /// `enabled` copies the track's at publication, and only the SDK's own
  /// enable()/disable() reach it afterwards (lib/signaling/localtrackpublication.js,
  /// lib/localparticipant.js).
  class LocalParticipant extends Participant {
    publishTrack(track) {
      const local = asLocalTrack(track);
      const publication = { trackSid: sid("MT"), kind: local.kind, track: local, copy: null };
      if (local.kind !== "data") {
        const copy = local.mediaStreamTrack.clone();
        copy.enabled = local.mediaStreamTrack.enabled;
        const clone = { track: copy };
        local._trackSender._clones.add(clone);
        publication.copy = copy;
        publication.clone = clone;
        publication.onEnabled = () => { copy.enabled = true; standIn.trackEvents.push(local.kind + ":enabled"); };
        publication.onDisabled = () => { copy.enabled = false; standIn.trackEvents.push(local.kind + ":disabled"); };
        local.on("enabled", publication.onEnabled);
        local.on("disabled", publication.onDisabled);
      }
      this._addPublication(publication);
      if (publication.kind !== "data" && standIn.failNextPublication === publication.kind) {
        standIn.failNextPublication = null;
        // As with Twilio, the refusal comes from the server, after connecting.
        setTimeout(() => this.emit("trackPublicationFailed", error(53300), local), 300);
      }
      return Promise.resolve(publication);
    }
    unpublishTrack(track) {
      for (const publication of [...this.tracks.values()]) {
        if (publication.track === track || publication.track.mediaStreamTrack === track) this._unpublish(publication);
      }
      return null;
    }
    /// As the SDK on unpublish or disconnect: the clone is stopped and forgotten.
    _unpublish(publication) {
      if (publication.copy) {
        publication.copy.stop();
        publication.track._trackSender._clones.delete(publication.clone);
        publication.track.removeListener("enabled", publication.onEnabled);
        publication.track.removeListener("disabled", publication.onDisabled);
      }
      this.tracks.delete(publication.trackSid);
      this[publication.kind + "Tracks"].delete(publication.trackSid);
    }
  }

  class Room extends EventEmitter {
    constructor(name, localParticipant) {
      super();
      this.name = name;
      this.sid = sid("RM");
      this.state = "connected";
      this.participants = new Map();
      this.localParticipant = localParticipant;
      tracked(this);
    }
    disconnect() {
      if (this.state === "disconnected") return this;
      standIn.disconnects += 1;
      end(this);
      return this;
    }
  }

  /// As the SDK's room on "disconnected" (lib/room.js): every remote track
  /// is unsubscribed first, then the event, then our publications end.
  function end(room, err) {
    room.state = "disconnected";
    for (const p of room.participants.values()) unsubscribeAll(room, p);
    if (err) room.emit("disconnected", room, err); else room.emit("disconnected", room);
    for (const publication of [...room.localParticipant.tracks.values()]) {
      room.localParticipant._unpublish(publication);
    }
  }

  function unsubscribeAll(room, p) {
    for (const publication of p.tracks.values()) {
      if (!publication.track) continue;
      const track = publication.track;
      publication.track = null;
      publication.isSubscribed = false;
      room.emit("trackUnsubscribed", track, publication, p);
      p.emit("trackUnsubscribed", track, publication);
    }
  }

  /// A moving picture, so a remote <video> really plays.
  function canvasTrack() {
    const canvas = document.createElement("canvas");
    canvas.width = 320; canvas.height = 240;
    const ctx = canvas.getContext("2d");
    let frame = 0;
    setInterval(() => { ctx.fillStyle = `hsl(${(frame += 7) % 360} 60% 50%)`; ctx.fillRect(0, 0, 320, 240); }, 50);
    return canvas.captureStream(20).getVideoTracks()[0];
  }

  function toneTrack() {
    const context = new AudioContext();
    const tone = context.createOscillator();
    const out = context.createMediaStreamDestination();
    tone.connect(out); tone.start();
    return out.stream.getAudioTracks()[0];
  }

  /// A remote participant with camera, microphone and data track published
  /// (not yet subscribed), as the SDK has one in `room.participants`.
  function remoteParticipant(identity) {
    const p = new Participant(identity);
    for (const kind of ["video", "audio", "data"]) {
      p._addPublication({ trackSid: sid("MT"), kind, track: null, isSubscribed: false });
    }
    return p;
  }

  /// We subscribe to `p`'s tracks: trackPublished has come first;
  /// `failing` kinds get trackSubscriptionFailed instead. Then `p`
  /// subscribes to ours, unless `subscribes` is false, and says its name.
  function subscribe(p, { name, failing = [], subscribes = true } = {}) {
    const room = standIn.room;
    for (const publication of p.tracks.values()) {
      if (failing.includes(publication.kind)) {
        room.emit("trackSubscriptionFailed", error(53204), publication, p);
        continue;
      }
      const media = publication.kind === "video" ? canvasTrack() : publication.kind === "audio" ? toneTrack() : null;
      const track = new RemoteTrack(publication.kind, media);
      publication.track = track;
      publication.isSubscribed = true;
      room.emit("trackSubscribed", track, publication, p);
      p.emit("trackSubscribed", track, publication);
    }
    if (subscribes) p.subscribedToUs = true;
    if (name) standIn.say(p.identity, JSON.stringify({ hello: { name } }));
  }

  function decodeToken(token) {
    try {
      const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(payload));
    } catch (e) {
      return null;
    }
  }

  const standIn = {
    /// What connect() does next: null to succeed, or an error code to reject with.
    failNextConnect: null,
    /// "audio" or "video": that kind's next publication fails.
    failNextPublication: null,
    /// Participants already in the room when we connect: [{identity, name}].
    present: [],
    connects: [],
    disconnects: 0,
    /// Everything our page tried to send on its data track (delivered or not).
    sent: [],
    /// The SDK's enabled/disabled events of our published tracks, in order.
    trackEvents: [],
    room: null,

    /// A remote participant arrives; `options`: `name` said over data,
    /// `failing` kinds whose subscription fails, `subscribes` false to
    /// leave our data track unsubscribed for now.
    join(identity, name, options = {}) {
      const room = standIn.room;
      const p = remoteParticipant(identity);
      room.participants.set(p.sid, p);
      room.emit("participantConnected", p);
      for (const publication of p.tracks.values()) {
        p.emit("trackPublished", publication);
        room.emit("trackPublished", publication, p);
      }
      subscribe(p, Object.assign({ name }, options));
      return p.sid;
    },
    /// The newest connection of `identity`.
    find(identity) {
      const found = [...standIn.room.participants.values()].filter((p) => p.identity === identity);
      if (!found.length) throw new Error("no participant " + identity);
      return found[found.length - 1];
    },
    /// The Network Quality API as the SDK reports it: `level` (0 to 5) for
    /// `identity`, or for us when `identity` is null, emitted on that
    /// participant as `networkQualityLevelChanged` (lib/participant.js).
    networkQuality(identity, level) {
      const p = identity === null ? standIn.room.localParticipant : standIn.find(identity);
      p.networkQualityLevel = level;
      p.emit("networkQualityLevelChanged", level, null);
    },
    /// `identity` subscribes to our data track now.
    subscribeToUs(identity) { standIn.find(identity).subscribedToUs = true; },
    /// What `identity`'s newest connection received from us.
    received(identity) {
      return standIn.find(identity).received.map((m) => { try { return JSON.parse(m); } catch (e) { return m; } });
    },
    say(identity, data) {
      const p = standIn.find(identity);
      for (const publication of p.dataTracks.values()) {
        if (!publication.track) continue;
        publication.track.emit("message", data);
        p.emit("trackMessage", data, publication.track);
      }
    },
    leave(identity, which) {
      const room = standIn.room;
      const p = which ? room.participants.get(which) : standIn.find(identity);
      unsubscribeAll(room, p);
      p.state = "disconnected";
      room.participants.delete(p.sid);
      room.emit("participantDisconnected", p);
    },
    /// The same identity connects again (a reload): the new connection's
    /// arrival and the old one's departure in the order given.
    rejoin(identity, name, order) {
      const old = standIn.find(identity).sid;
      if (order === "disconnect-first") {
        standIn.leave(identity, old);
        return standIn.join(identity, name);
      }
      const fresh = standIn.join(identity, name);
      standIn.leave(identity, old);
      return fresh;
    },
    participantReconnecting(identity) {
      const p = standIn.find(identity);
      p.state = "reconnecting";
      standIn.room.emit("participantReconnecting", p);
    },
    participantReconnected(identity) {
      const p = standIn.find(identity);
      p.state = "connected";
      standIn.room.emit("participantReconnected", p);
    },
    reconnecting(code) { standIn.room.state = "reconnecting"; standIn.room.emit("reconnecting", error(code)); },
    reconnected() { standIn.room.state = "connected"; standIn.room.emit("reconnected"); },
    /// The room drops us, as Twilio does with the error's code.
    drop(code) { end(standIn.room, error(code)); },
    listenerCount() { return emitters.reduce((n, e) => n + e.listenerCount(), 0); },
    /// The handles our page gave the SDK (LocalAudioTrack, …), published now.
    localTracks() { return [...standIn.room.localParticipant.tracks.values()].map((p) => p.track); },
    /// The copy of our `kind` track that is on the wire now: what the
    /// others receive.
    published(kind) {
      const publication = [...standIn.room.localParticipant.tracks.values()].find((p) => p.kind === kind);
      return publication ? publication.copy : null;
    },
  };

  /// As the SDK's connect(): tracks are wrapped and cloned for publishing
  /// before the signalling answers, so a failed connect leaves the clones
  /// behind; the token must be unexpired and its grant name this room.
  function connect(token, options) {
    const tracks = (options.tracks || []).map(asLocalTrack);
    const call = { token, name: options.name, kinds: tracks.map((t) => t.kind) };
    standIn.connects.push(call);
    const claims = decodeToken(token);
    const identity = claims && claims.grants && claims.grants.identity;
    const me = new LocalParticipant(identity || "");
    for (const track of tracks) me.publishTrack(track);
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        let code = standIn.failNextConnect;
        standIn.failNextConnect = null;
        if (code === null && (!claims || !identity)) code = 20101;
        if (code === null && claims.exp * 1000 <= Date.now()) code = 20104;
        if (code === null && !(claims.grants.video && claims.grants.video.room === options.name)) code = 20106;
        if (code !== null) {
          reject(error(code));
          return;
        }
        standIn.room = new Room(options.name, me);
        const present = standIn.present.map(({ identity: who, name }) => {
          const p = remoteParticipant(who);
          standIn.room.participants.set(p.sid, p);
          return [p, name];
        });
        standIn.present = [];
        resolve(standIn.room);
        // As the SDK: tracks of those already here arrive after connect resolves.
        setTimeout(() => present.forEach(([p, name]) => subscribe(p, { name })), 50);
      }, 50);
    });
  }

  window.standIn = standIn;
  window.Twilio = {
    Video: {
      version: "2.36.0-stand-in",
      isSupported: true,
      connect,
      LocalAudioTrack,
      LocalVideoTrack,
      LocalDataTrack,
      Logger: { getLogger: () => ({ setLevel() {} }) },
    },
  };
})();
