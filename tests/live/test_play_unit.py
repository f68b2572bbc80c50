"""The live player's core with a fake clock, device and keys: positions, pause, skip, start-at,
the screen at given audio positions, the remind schedule, and the simpleaudio scheduler."""

from __future__ import annotations

import io
import os
import pty
import termios
from collections.abc import Callable

import numpy as np
import pytest
from typer.testing import CliRunner

from voice_coach.basics.errors import UsageError
from voice_coach.cli import app
from voice_coach.cli.options import parse_start_at, remind_plan, start_frame
from voice_coach.live import transport as live
from voice_coach.live.devices import SimpleaudioOutput, quiet_cut_frame
from voice_coach.live.remind import Reminder, RemindPlan
from voice_coach.live.screen import Guide, Moment, cue_line, screen_lines
from voice_coach.live.terminal import Terminal
from voice_coach.live.transport import Player, Transport, back_section_ms, next_section_ms
from voice_coach.plan.timeline import Chapter, Event, Timeline, ms_to_frames

SR = 22050


def frames(ms: int) -> int:
    return ms_to_frames(ms, SR)


# A literal session: set 1 (0–4 s), rest (4–5 s), set 2 (5–10 s).
TIMELINE = Timeline(
    routine="t", title="Tiny", duration_ms=10_000,
    events=(
        Event(0, 800, "tone", tone="chime", set=1, phase="set"),
        Event(880, 600, "speech", text="Set 1.", set=1, phase="set"),
        Event(2000, 300, "speech", text="Up.", set=1, rep=1, phase="Up."),
        Event(3000, 400, "speech", text="Down.", set=1, rep=1, phase="Down."),
        Event(4300, 500, "speech", text="Rest.", set=1, phase="rest"),
        Event(5000, 800, "tone", tone="chime", set=2, phase="set"),
        Event(6000, 300, "speech", text="Up.", set=2, rep=1, phase="Up."),
        Event(8000, 300, "speech", text="Up.", set=2, rep=2, phase="Up."),
    ),
    chapters=(Chapter(0, "Set 1 of 2", "set"), Chapter(4000, "Rest", "rest"),
              Chapter(5000, "Set 2 of 2", "set")),
)
N_FRAMES = TIMELINE.n_frames


# ---------------------------------------------------------------------------------------------
# Fakes: a clock, a device that plays at the clock's pace, scripted keys, a frame-counting source.


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeDevice:
    """A sound device: a buffer that starts when full and drains at `speed` × real time."""

    name = "fake"

    def __init__(self, clock: FakeClock, *, can_pause: bool = True, buffer_frames: int = SR // 2,
                 speed: float = 1.0) -> None:
        self.clock, self.can_pause, self.buffer_frames, self.speed = clock, can_pause, \
            buffer_frames, speed
        self.sample_rate = SR
        self.captured = bytearray()  # every frame written, like ALSA's file plugin records
        self.written = self.played = 0
        self.running = False
        self.since = (0.0, 0)

    def _sync(self) -> None:
        if self.running:
            t0, p0 = self.since
            self.played = min(self.written, p0 + int((self.clock() - t0) * SR * self.speed))
            if self.played == self.written:
                self.running = False  # underrun: stops until refilled

    def _start(self) -> None:
        self._sync()
        self.running, self.since = True, (self.clock(), self.played)

    def room_frames(self) -> int:
        self._sync()
        return max(0, self.buffer_frames - (self.written - self.played))

    def write(self, pcm) -> int:
        n = min(len(pcm) // 2, self.room_frames())
        self.captured += bytes(pcm[:2 * n])
        self.written += n
        if not self.running and self.written - self.played >= self.buffer_frames:
            self._start()
        return n

    def played_frames(self) -> int:
        self._sync()
        return self.played

    def pause(self) -> None:
        self._sync()
        self.running = False

    def resume(self) -> None:
        self._start()

    def flush(self) -> None:
        self._sync()
        self.written, self.running = self.played, False

    def finish(self) -> None:
        if not self.running and self.written > self.played:
            self._start()

    def idle(self) -> bool:
        self._sync()
        return self.played >= self.written

    def wake_s(self) -> float | None:
        return None


class Script:
    """Keys (or probes, called with no key returned) at given clock times; waits move the clock."""

    def __init__(self, clock: FakeClock, events: list[tuple[float, str | Callable[[], None]]]):
        self.clock, self.events = clock, sorted(events, key=lambda e: e[0])

    def read(self, timeout_s: float) -> str | None:
        assert self.clock.now < 100_000, "runaway loop"
        if self.events and self.events[0][0] <= self.clock.now + timeout_s:
            at_s, what = self.events.pop(0)
            self.clock.now = max(self.clock.now, at_s)
            if callable(what):
                what()
                return None
            return what
        self.clock.now += timeout_s
        return None


def ramp_source(n_frames: int, block_frames: int = 4096):
    """Frame i sounds as the int16 value i % 30000: the capture tells which frames were played."""

    def blocks_from(frame: int):
        for lo in range(frame, n_frames, block_frames):
            hi = min(lo + block_frames, n_frames)
            yield (np.arange(lo, hi) % 30000).astype("<i2").tobytes()

    return blocks_from


def ramp(lo: int, hi: int) -> np.ndarray:
    return (np.arange(lo, hi) % 30000).astype("<i2")


def captured(device: FakeDevice) -> np.ndarray:
    return np.frombuffer(bytes(device.captured), dtype="<i2")


class Recorder:
    width, unicode = 60, False

    def __init__(self) -> None:
        self.screens: list[list[str]] = []

    def show(self, lines: list[str]) -> None:
        self.screens.append(lines)


def make_player(keys, *, can_pause: bool = True, speed: float = 1.0, start: int = 0,
                view=None):
    clock = FakeClock()
    device = FakeDevice(clock, can_pause=can_pause, speed=speed)
    script = Script(clock, [])
    player = Player(TIMELINE, ramp_source(N_FRAMES), device, script, view, start_frame=start)
    script.events = sorted(keys(player) if callable(keys) else keys, key=lambda e: e[0])
    return player, device, clock


# ---------------------------------------------------------------------------------------------
# Playing, pausing, skipping.


def test_plays_every_frame_once_in_order_and_ends_on_time():
    player, device, clock = make_player([])
    outcome = player.run()
    assert outcome.reason == "finished"
    assert np.array_equal(captured(device), ramp(0, N_FRAMES))
    assert clock.now == pytest.approx(N_FRAMES / SR, abs=live.TICK_S + 0.001)


def test_start_frame_plays_from_there_and_the_screen_says_so():
    view = Recorder()
    player, device, _ = make_player([], start=frames(5000), view=view)
    player.run()
    assert np.array_equal(captured(device), ramp(frames(5000), N_FRAMES))
    assert view.screens[0][1] == "Set 2 of 2"
    assert "0:05 / 0:10" in view.screens[0][3]
    assert "0:10 / 0:10  -0:00" in view.screens[-1][3]


def test_position_is_the_devices_not_the_wall_clocks():
    seen = []
    player, _, _ = make_player(lambda p: [(2.0, lambda: seen.append(p.position_frame()))],
                               speed=0.5)
    player.run()
    assert seen[0] == pytest.approx(SR, abs=SR * live.TICK_S)  # 2 s of wall time, 1 s heard


def test_pause_holds_the_position_and_loses_no_sample():
    seen = []
    player, device, clock = make_player(lambda p: [
        (1.0, " "), (1.5, lambda: seen.append(p.position_frame())),
        (2.9, lambda: seen.append(p.position_frame())), (3.0, " "),
        (3.5, lambda: seen.append(p.position_frame()))])
    player.run()
    assert seen[0] == seen[1] == pytest.approx(SR, abs=2)
    assert seen[2] == pytest.approx(seen[1] + SR // 2, abs=SR * live.TICK_S)
    assert np.array_equal(captured(device), ramp(0, N_FRAMES))
    assert clock.now == pytest.approx(N_FRAMES / SR + 2.0, abs=live.TICK_S + 0.001)


def test_pause_on_a_device_that_cannot_resumes_at_the_heard_sample():
    seen = []
    player, device, _ = make_player(lambda p: [
        (1.0, " "), (2.0, lambda: seen.append(p.position_frame())), (3.0, " ")],
        can_pause=False)
    player.run()
    paused_at = seen[0]
    assert paused_at == pytest.approx(SR, abs=2)
    got = captured(device)
    written_before = len(got) - (N_FRAMES - paused_at)
    assert np.array_equal(got[:written_before], ramp(0, written_before))
    assert np.array_equal(got[written_before:], ramp(paused_at, N_FRAMES))


def test_next_continues_at_the_next_sections_first_sample():
    seen = []
    player, device, _ = make_player(lambda p: [
        (1.0, "n"), (1.0, lambda: seen.append(p.position_frame()))])
    player.run()
    rest = frames(4000)
    assert seen == [rest]
    got = captured(device)
    cut = len(got) - (N_FRAMES - rest)
    assert cut > SR  # what was queued when n came is dropped, not played
    assert np.array_equal(got[:cut], ramp(0, cut))
    assert np.array_equal(got[cut:], ramp(rest, N_FRAMES))


def test_next_in_the_last_section_ends_the_session():
    player, device, clock = make_player([(6.0, "n")])
    assert player.run().reason == "finished"
    assert clock.now == pytest.approx(6.0, abs=live.TICK_S + 0.001)


def test_back_restarts_the_section_and_twice_goes_to_the_one_before():
    seen = []
    player, device, _ = make_player(lambda p: [
        (8.0, "b"), (8.0, lambda: seen.append(p.position_frame())),
        (8.5, "B"), (8.5, lambda: seen.append(p.position_frame())), (8.6, "q")])
    player.run()
    assert seen == [frames(5000), frames(4000)]


def test_seek_while_paused_plays_on_from_the_target():
    player, device, _ = make_player([(1.0, " "), (1.5, "n")])
    player.run()
    assert not player.paused
    assert np.array_equal(captured(device)[-(N_FRAMES - frames(4000)):], ramp(frames(4000),
                                                                                N_FRAMES))


def test_quit_stops_the_sound_at_once():
    player, device, clock = make_player([(2.0, "q")])
    outcome = player.run()
    assert outcome.reason == "quit"
    assert outcome.position_frame == pytest.approx(2 * SR, abs=SR * live.TICK_S)
    assert device.idle() and clock.now == 2.0


def test_ctrl_c_as_a_key_interrupts():
    player, _, _ = make_player([(1.0, "\x03")])
    with pytest.raises(KeyboardInterrupt):
        player.run()


def test_transport_maps_heard_stream_frames_across_seeks():
    transport = Transport(100)
    assert transport.session_frame(50) == 150
    transport.splice(200, 5000)
    assert transport.session_frame(199) == 299
    assert transport.session_frame(250) == 5050
    transport.splice(200, 9000)  # a second seek before anything new was heard
    assert transport.session_frame(210) == 9010


# ---------------------------------------------------------------------------------------------
# Where to start, where n and b go.


def test_start_frame_from_start_at_and_from_set():
    assert start_frame(TIMELINE) == 0
    assert start_frame(TIMELINE, start_at_ms=1500) == frames(1500)
    assert start_frame(TIMELINE, from_set=2) == frames(5000)
    assert start_frame(TIMELINE, from_set=1) == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"start_at_ms": 10_000}, "--start-at 10s is past the end of the session (10 s)"),
    ({"from_set": 3}, "--from-set 3: this routine has 2 sets"),
    ({"from_set": 0}, "--from-set 0: this routine has 2 sets"),
    ({"start_at_ms": 0, "from_set": 1}, "use --start-at or --from-set, not both"),
])
def test_start_frame_refuses_what_cannot_be(kwargs, message):
    with pytest.raises(UsageError) as exc:
        start_frame(TIMELINE, **kwargs)
    assert exc.value.message == message
    assert exc.value.exit_code == 2


def test_parse_start_at_takes_routine_durations_and_explains_bad_ones():
    assert parse_start_at("1m30s") == 90_000
    with pytest.raises(UsageError) as exc:
        parse_start_at("90")
    assert exc.value.format() == ("error: --start-at must be a duration, got '90': it needs a "
                                  'unit\n  hint: durations look like "3s", "1.5s", "500ms" or '
                                  '"1m30s"')


@pytest.mark.parametrize("position_ms, after_ms, back_ms", [
    (0, 4000, 0), (1000, 4000, 0), (3999, 4000, 0), (4000, 5000, 0), (4500, 5000, 0),
    (5000, 10_000, 4000), (6999, 10_000, 4000), (7000, 10_000, 5000), (9999, 10_000, 5000),
])
def test_section_targets(position_ms, after_ms, back_ms):
    assert next_section_ms(TIMELINE, position_ms) == after_ms
    assert back_section_ms(TIMELINE, position_ms) == back_ms


# ---------------------------------------------------------------------------------------------
# What the screen shows at given audio positions.


@pytest.mark.parametrize("position_ms, section, rep, phase, cue", [
    (0, "Set 1 of 2", 0, "set", ""),
    (1000, "Set 1 of 2", 0, "set", "Set 1."),
    (2100, "Set 1 of 2", 1, "Up.", "Up."),
    (3850, "Set 1 of 2", 1, "Down.", "Down."),  # a cue lingers after it ends
    (3999, "Set 1 of 2", 1, "Down.", "Down."),
    (4000, "Rest", 0, "", "Down."),
    (4400, "Rest", 0, "rest", "Rest."),
    (5000, "Set 2 of 2", 0, "set", "Rest."),
    (7900, "Set 2 of 2", 1, "Up.", ""),
    (8100, "Set 2 of 2", 2, "Up.", "Up."),
])
def test_display_state_at_positions(position_ms, section, rep, phase, cue):
    moment = Guide(TIMELINE).at(position_ms)
    assert (moment.section, moment.rep, moment.phase, moment.cue) == (section, rep, phase, cue)
    assert moment.position_ms == position_ms and moment.duration_ms == 10_000


def test_reps_count_per_section():
    guide = Guide(TIMELINE)
    assert guide.at(2100).reps == 1 and guide.at(8100).reps == 2


def test_screen_lines_while_playing_and_paused():
    moment = Guide(TIMELINE).at(8100)
    lines = screen_lines("Tiny", moment, False, 60, unicode=True)
    assert lines[:3] == ["Tiny", "Set 2 of 2 · rep 2 of 2 · Up.", "» Up."]
    assert lines[3] == "█" * 32 + "░" * 8 + "  0:08 / 0:10  -0:02"  # 40 wide, 81 %
    assert lines[4] == "space pause · n next · b back · q quit"
    paused = screen_lines("Tiny", moment, True, 60, unicode=False)
    assert paused[3] == "#" * 32 + "-" * 8 + "  0:08 / 0:10  -0:02"
    assert paused[4] == "paused · space resume · n next · b back · q quit"
    assert all(len(line) <= 60 for line in lines + paused)


def test_a_long_cue_shows_the_part_being_spoken():
    text = "One two three four five six seven eight nine ten eleven twelve thirteen fourteen."
    start = cue_line(Moment(0, 1, cue=text, cue_progress=0.0), 40, unicode=False)
    end = cue_line(Moment(0, 1, cue=text, cue_progress=1.0), 40, unicode=False)
    assert start.startswith("> One two") and start.endswith("...")
    assert end.startswith("> ...") and end.endswith("fourteen.")
    assert len(start) <= 44 and len(end) <= 44


def test_hours_long_sessions_show_hours():
    moment = Moment(3_725_000, 7_200_000, section="Breathing")
    assert "1:02:05 / 2:00:00  -57:55" in screen_lines("T", moment, False, 80)[3]


# ---------------------------------------------------------------------------------------------
# Reminders.


def test_remind_plan_rounds():
    times = RemindPlan(3_600_000, times=3)
    assert [times.next_start_ms(n, (n - 1) * 3_600_000) for n in (1, 2, 3)] == [
        3_600_000, 7_200_000, None]
    window = RemindPlan(3_600_000, for_ms=6 * 3_600_000)
    assert window.rounds == 6
    assert window.next_start_ms(5, 4 * 3_600_000) == 5 * 3_600_000
    assert window.next_start_ms(6, 5 * 3_600_000) is None
    assert RemindPlan(60_000).next_start_ms(10_000, 0) == 60_000  # no limit: until quit


@pytest.mark.parametrize("args, message", [
    (("1h", "6h", 3), "use --for or --times, not both"),
    (("1h", None, 0), "--times must be at least 1, got 0"),
    (("hourly", None, None), "--every must be a duration, got 'hourly': it is not a duration"),
    (("0s", None, None), "--every must be longer than zero, got '0s'"),
    (("1m", None, None), "--every 1m is shorter than the session itself (5 min 00 s)"),
])
def test_remind_options_are_checked(args, message):
    with pytest.raises(UsageError) as exc:
        remind_plan(*args, session_ms=300_000)
    assert exc.value.message == message


def run_reminder(plan: RemindPlan, keys: list[tuple[float, str]], session_s: float = 300.0):
    clock = FakeClock()
    starts: list[float] = []

    def play_round(n: int) -> live.Outcome:
        starts.append(clock.now)
        clock.now += session_s
        return live.Outcome("finished", 0)

    view = Recorder()
    outcome = Reminder(plan, play_round, "Tiny", Script(clock, keys), clock, view,
                       at_text=lambda wait_s: "14:05").run()
    return outcome, starts, view


def test_reminder_plays_on_the_schedule():
    outcome, starts, view = run_reminder(RemindPlan(3_600_000, times=3), [])
    assert outcome == "finished"
    assert starts == pytest.approx([0, 3600, 7200], abs=0.3)
    assert view.screens[0][:2] == ["Tiny", "Next round (2 of 3) in 55:00 (at 14:05)"]


def test_a_key_starts_the_next_round_early_and_the_schedule_follows():
    outcome, starts, _ = run_reminder(RemindPlan(3_600_000, for_ms=3 * 3_600_000),
                                      [(1000.0, " ")])
    assert outcome == "finished"
    assert starts == pytest.approx([0, 1000, 4600, 8200], abs=0.3)


def test_q_during_the_wait_quits():
    outcome, starts, _ = run_reminder(RemindPlan(3_600_000), [(1000.0, "q")])
    assert outcome == "quit" and len(starts) == 1


# ---------------------------------------------------------------------------------------------
# The simpleaudio scheduler, with a fake simpleaudio and a fake clock.


class FakePlay:
    def __init__(self, sa, pcm: bytes) -> None:
        self.sa, self.pcm, self.started_s, self.stopped_s = sa, pcm, sa.clock(), None

    def is_playing(self) -> bool:
        end_s = self.started_s + len(self.pcm) / 2 / SR
        return self.stopped_s is None and self.sa.clock() < end_s

    def stop(self) -> None:
        self.stopped_s = self.sa.clock()

    def wait_done(self) -> None:
        pass


class FakeSimpleaudio:
    def __init__(self, clock: FakeClock) -> None:
        self.clock, self.plays = clock, []

    def play_buffer(self, pcm, channels, width, rate):
        assert (channels, width, rate) == (1, 2, SR)
        self.plays.append(FakePlay(self, bytes(pcm)))
        return self.plays[-1]


def long_timeline(seconds: int) -> Timeline:
    return Timeline("t", "Long", seconds * 1000, (), (Chapter(0, "All", "section"),))


def test_quiet_cut_frame_cuts_in_silence_or_at_the_limit():
    loud = np.full(100, 1000, dtype="<i2")
    pcm = np.concatenate([loud, np.zeros(30, "<i2"), loud, np.zeros(10, "<i2"), loud])
    assert quiet_cut_frame(pcm.tobytes(), 50, 200, run_frames=20) == 115
    assert quiet_cut_frame(pcm.tobytes(), 150, 200, run_frames=20) == 200
    assert quiet_cut_frame(pcm[:120].tobytes(), 50, 200) == 120


def test_simpleaudio_buffers_start_on_the_clock_with_no_drift():
    timeline = long_timeline(100)
    clock = FakeClock()
    sa = FakeSimpleaudio(clock)
    output = SimpleaudioOutput(sa, SR, clock=clock)
    player = Player(timeline, ramp_source(timeline.n_frames), output, Script(clock, []))
    player.run()
    heard = b"".join(p.pcm for p in sa.plays)
    assert heard == ramp(0, timeline.n_frames).tobytes()
    first = 0
    for play in sa.plays:
        assert play.started_s == pytest.approx(first / SR, abs=0.0011)
        first += len(play.pcm) // 2
    assert len(sa.plays) == 4  # 30 s buffers, not many short ones


def test_simpleaudio_pause_replays_from_the_paused_frame_on_a_new_anchor():
    timeline = long_timeline(40)
    clock = FakeClock()
    sa = FakeSimpleaudio(clock)
    output = SimpleaudioOutput(sa, SR, clock=clock)
    script = Script(clock, [(12.0, " "), (15.0, " ")])
    Player(timeline, ramp_source(timeline.n_frames), output, script).run()
    first, second = sa.plays[0], sa.plays[1]
    assert first.stopped_s == 12.0
    assert second.started_s == 15.0
    assert second.pcm[:8] == ramp(12 * SR, 12 * SR + 4).tobytes()
    assert clock.now == pytest.approx(43.0, abs=0.06)


# ---------------------------------------------------------------------------------------------
# The terminal edge, on a real pseudo-terminal.


def test_terminal_reads_keys_drops_escapes_and_restores_the_mode():
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    with os.fdopen(slave, "r", closefd=False) as stdin:
        out = io.StringIO()
        with Terminal(stdin, out) as term:
            assert not termios.tcgetattr(slave)[3] & termios.ICANON
            os.write(master, b"\x1b[Bq\x1b[C ")
            keys = [term.read(0.5) for _ in range(3)]
            assert term.read(0.01) is None
            term.show(["a", "b"])
            term.show(["a", "c"])
        assert keys == ["q", "n", " "]
        assert termios.tcgetattr(slave) == before
        assert out.getvalue() == ("\x1b[?25l\x1b[2Ka\n\x1b[2Kb\r\x1b[1A\x1b[2Ka\n\x1b[2Kc"
                                  "\x1b[?25h\n")
    os.close(master)
    os.close(slave)


# ---------------------------------------------------------------------------------------------
# The commands' option errors come before any synthesis or device.


@pytest.mark.parametrize("args, text", [
    (["play", "ankle-pumps", "--start-at", "5"], "error: --start-at must be a duration, got "
     "'5': it needs a unit"),
    (["remind", "ankle-pumps", "--every", "1h", "--for", "6h", "--times", "3"],
     "error: use --for or --times, not both"),
    (["remind", "ankle-pumps", "--every", "soon"], "error: --every must be a duration"),
])
def test_cli_option_errors_exit_2(args, text):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.startswith(text)
    assert "Traceback" not in result.output
