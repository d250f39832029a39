// A stand-in for the twilio-video SDK (2.36), served in place of
// twilio-video.min.js so browser tests can drive our binding layer without
// Twilio's servers. It follows the SDK's documented event API
// (shared/twilio-facts.md); `window.standIn` lets a test play the room's part.
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
    53000: "Signaling connection error",
    53001: "Signaling connection disconnected",
    53118: "Room completed",
    53205: "Participant disconnected because of duplicate identity",
    53405: "Media connection failed",
  };
  const error = (code) => new TwilioError(code, MESSAGES[code] || "Unknown error");

  let sids = 0;
  const sid = (prefix) => prefix + String(++sids).padStart(32, "0");

  /// Everything a test can see and do. Emitters are tracked so a test can
  /// check that leaving removed every listener.
  const emitters = [];
  const tracked = (emitter) => { emitters.push(emitter); return emitter; };

  class LocalDataTrack extends EventEmitter {
    constructor(options) {
      super();
      this.kind = "data";
      this.name = (options && options.name) || "";
      this.sent = [];
      tracked(this);
    }
    send(data) { this.sent.push(data); standIn.sent.push(data); }
  }

  class LocalMediaTrack extends EventEmitter {
    constructor(mediaStreamTrack) {
      super();
      this.kind = mediaStreamTrack.kind;
      this.mediaStreamTrack = mediaStreamTrack;
      this.isEnabled = mediaStreamTrack.enabled;
      this.isStopped = false;
      tracked(this);
    }
    enable(enabled = true) { this.isEnabled = enabled; this.mediaStreamTrack.enabled = enabled; return this; }
    disable() { return this.enable(false); }
    stop() { this.isStopped = true; this.mediaStreamTrack.stop(); return this; }
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
      tracked(this);
    }
    _publish(track) {
      const publication = { trackSid: track.sid || sid("MT"), kind: track.kind, track, isSubscribed: true };
      this.tracks.set(publication.trackSid, publication);
      this[track.kind + "Tracks"].set(publication.trackSid, publication);
      return publication;
    }
  }

  class Room extends EventEmitter {
    constructor(name, localTracks) {
      super();
      this.name = name;
      this.sid = sid("RM");
      this.state = "connected";
      this.participants = new Map();
      this.localParticipant = new Participant(standIn.identity);
      for (const track of localTracks) this.localParticipant._publish(track);
      tracked(this);
    }
    disconnect() {
      if (this.state === "disconnected") return this;
      this.state = "disconnected";
      standIn.disconnects += 1;
      this.emit("disconnected", this);
      return this;
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

  const standIn = {
    /// What connect() does next: null to succeed, or an error code to reject with.
    failNextConnect: null,
    connects: [],
    disconnects: 0,
    sent: [],
    room: null,
    identity: "patient.stand-in",

    /// A remote participant arrives with camera, microphone and data track;
    /// `name` is said over data, as a real peer would.
    join(identity, name) {
      const room = standIn.room;
      const p = new Participant(identity);
      room.participants.set(p.sid, p);
      room.emit("participantConnected", p);
      const tracks = [new RemoteTrack("video", canvasTrack()), new RemoteTrack("audio", toneTrack()), new RemoteTrack("data")];
      for (const track of tracks) {
        const publication = p._publish(track);
        room.emit("trackSubscribed", track, publication, p);
        p.emit("trackSubscribed", track, publication);
      }
      if (name) standIn.say(identity, JSON.stringify({ hello: { name } }));
      return p;
    },
    find(identity) {
      for (const p of standIn.room.participants.values()) if (p.identity === identity) return p;
      throw new Error("no participant " + identity);
    },
    say(identity, data) {
      const p = standIn.find(identity);
      for (const publication of p.dataTracks.values()) {
        publication.track.emit("message", data);
        p.emit("trackMessage", data, publication.track);
      }
    },
    leave(identity) {
      const room = standIn.room, p = standIn.find(identity);
      for (const publication of p.tracks.values()) {
        room.emit("trackUnsubscribed", publication.track, publication, p);
      }
      p.state = "disconnected";
      room.participants.delete(p.sid);
      room.emit("participantDisconnected", p);
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
    drop(code) {
      const room = standIn.room;
      room.state = "disconnected";
      room.emit("disconnected", room, error(code));
    },
    listenerCount() { return emitters.reduce((n, e) => n + e.listenerCount(), 0); },
    localTracks() { return [...standIn.room.localParticipant.tracks.values()].map((p) => p.track); },
  };

  function connect(token, options) {
    const call = { token, name: options.name, kinds: (options.tracks || []).map((t) => t.kind) };
    standIn.connects.push(call);
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        if (standIn.failNextConnect !== null) {
          const code = standIn.failNextConnect;
          standIn.failNextConnect = null;
          reject(error(code));
          return;
        }
        const tracks = (options.tracks || []).map((t) => (t instanceof MediaStreamTrack ? new LocalMediaTrack(t) : t));
        standIn.room = new Room(options.name, tracks);
        resolve(standIn.room);
      }, 50);
    });
  }

  window.standIn = standIn;
  window.Twilio = {
    Video: {
      version: "2.36.0-stand-in",
      isSupported: true,
      connect,
      LocalDataTrack,
      Logger: { getLogger: () => ({ setLevel() {} }) },
    },
  };
})();
