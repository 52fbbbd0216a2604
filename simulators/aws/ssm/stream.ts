import { acknowledgeFor, encodeAgentMessage, MessageType, newMessage, type AcknowledgeContent, type AgentMessage } from "./framing.js";

/** The timings both ends of the data channel use (the plugin's config and the agent's agree). */
const RESEND_CHECK_MS = 100;
const INITIAL_ROUND_TRIP_MS = 100;
const INITIAL_RETRANSMISSION_MS = 200;
const MAX_RETRANSMISSION_MS = 1000;
const CLOCK_GRANULARITY_MS = 10;
const INCOMING_BUFFER_CAPACITY = 10_000;

interface Unacknowledged {
  frame: Buffer;
  sequenceNumber: number;
  lastSent: number;
  resends: number;
}

export interface DataStreamOptions {
  /** input_stream_data for a client, output_stream_data for the agent. */
  outgoingType: string;
  incomingType: string;
  /** The agent marks its first stream message SYN; the plugin never does. */
  synOnFirst: boolean;
  write(frame: Buffer): void;
  /** Receives each stream message once, in sequence order. */
  deliver(m: AgentMessage): void;
  /** Called when the oldest message was resent this many times unacknowledged. */
  maxResends?: number;
  onResendTimeout?(): void;
}

/**
 * One end's sequenced stream over the data channel, as agent and plugin both
 * run it: every stream message gets the next sequence number and stays
 * buffered until acknowledged, the oldest is resent when its acknowledgement
 * is late (with a retransmission timeout learnt from round trips); received
 * messages are acknowledged and delivered in sequence order, later ones held
 * until the gap is filled, repeats dropped.
 */
export class DataStream {
  private nextSequence = 0;
  private expectedSequence = 0;
  private readonly outgoing: Unacknowledged[] = [];
  private readonly incoming = new Map<number, AgentMessage>();
  private roundTrip = INITIAL_ROUND_TRIP_MS;
  private roundTripVariation = 0;
  private retransmission = INITIAL_RETRANSMISSION_MS;
  private readonly timer: NodeJS.Timeout;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly options: DataStreamOptions) {
    this.timer = setInterval(() => this.resendOldest(), RESEND_CHECK_MS);
    this.timer.unref();
  }

  send(payloadType: number, payload: Buffer): void {
    const sequenceNumber = this.nextSequence++;
    const flags = this.options.synOnFirst && sequenceNumber === 0 ? 1 : 0;
    const frame = encodeAgentMessage(newMessage(this.options.outgoingType, { sequenceNumber, flags, payloadType, payload }));
    this.outgoing.push({ frame, sequenceNumber, lastSent: Date.now(), resends: 0 });
    this.options.write(frame);
  }

  /** Takes an acknowledge or incoming stream message; returns false for any other type. */
  receive(m: AgentMessage): boolean {
    if (m.messageType === MessageType.Acknowledge) {
      this.acknowledged(JSON.parse(m.payload.toString("utf8")) as AcknowledgeContent);
      return true;
    }
    if (m.messageType !== this.options.incomingType) return false;
    if (m.sequenceNumber < this.expectedSequence) {
      // A resend of something delivered: its acknowledgement was lost, so send it again.
      this.options.write(acknowledgeFor(m));
      return true;
    }
    if (m.sequenceNumber > this.expectedSequence) {
      if (this.incoming.size < INCOMING_BUFFER_CAPACITY) {
        this.options.write(acknowledgeFor(m));
        this.incoming.set(m.sequenceNumber, m);
      }
      return true;
    }
    this.options.write(acknowledgeFor(m));
    this.expectedSequence++;
    this.options.deliver(m);
    for (let next = this.incoming.get(this.expectedSequence); next; next = this.incoming.get(this.expectedSequence)) {
      this.incoming.delete(this.expectedSequence);
      this.expectedSequence++;
      this.options.deliver(next);
    }
    return true;
  }

  get unacknowledged(): number {
    return this.outgoing.length;
  }

  /** Resolves true once everything sent is acknowledged, false if timeoutMs passes first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.outgoing.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timeout = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timeout);
        resolve(true);
      };
      this.drainWaiters.push(done);
    });
  }

  close(): void {
    clearInterval(this.timer);
  }

  private acknowledged(ack: AcknowledgeContent): void {
    const i = this.outgoing.findIndex((u) => u.sequenceNumber === ack.AcknowledgedMessageSequenceNumber);
    if (i < 0) return;
    this.learnRoundTrip(Date.now() - this.outgoing[i].lastSent);
    this.outgoing.splice(i, 1);
    if (this.outgoing.length === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  private learnRoundTrip(sample: number): void {
    this.roundTripVariation = 0.75 * this.roundTripVariation + 0.25 * Math.abs(this.roundTrip - sample);
    this.roundTrip = 0.875 * this.roundTrip + 0.125 * sample;
    this.retransmission = Math.min(MAX_RETRANSMISSION_MS, this.roundTrip + Math.max(CLOCK_GRANULARITY_MS, 4 * this.roundTripVariation));
  }

  private resendOldest(): void {
    const oldest = this.outgoing[0];
    if (!oldest || Date.now() - oldest.lastSent <= this.retransmission) return;
    if (this.options.maxResends !== undefined && oldest.resends >= this.options.maxResends) {
      this.options.onResendTimeout?.();
      return;
    }
    oldest.resends++;
    oldest.lastSent = Date.now();
    this.options.write(oldest.frame);
  }
}
