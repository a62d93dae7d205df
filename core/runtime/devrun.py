"""`run` starts the whole system (database, Redis, web, worker, beat); `test` runs the suite. See README."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess  # nosec B404  # development runner: fixed argument lists, no shell
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import FrameType

from core.runtime.embedded import ROOT, RUN_DIR, EmbeddedPostgres, EmbeddedRedis, port_is_free

DEMO_PASSWORD = "Demo@Xinfang2026"  # noqa: S105 (published demo accounts, printed at start-up)  # nosec B105
# The demo accounts that must sign in with two factors share one published authenticator secret (base32).
DEMO_OTP_SECRET = "XINFANGDEMOTOTPSECRETKEYFORDEMOS"  # noqa: S105  # nosec B105  # published demo secret
DEMO_OTP_ACCOUNTS = "leader、leader_qs、sysadmin、secadmin、auditor"
DEMO_ACCOUNTS = [
    ("clerk", "登记员 · 临江市信访局"),
    ("clerk_cg", "登记员 · 城关区信访局"),
    ("handler", "承办人 · 城关区住房和城乡建设局"),
    ("head", "科室负责人 · 临江市信访局"),
    ("leader", "领导 · 临江市"),
    ("supervisor", "督查人员 · 临江市信访局"),
    ("sysadmin", "系统管理员"),
    ("secadmin", "安全管理员"),
    ("auditor", "审计管理员"),
]


def _say(message: str) -> None:
    print(f"[xinfang] {message}", flush=True)


def _secret_key() -> str:
    """The local run's secret key, made once and kept under .run/ so sessions survive restarts."""
    path = RUN_DIR / "secret_key"
    if not path.exists():
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


class Services:
    """Embedded PostgreSQL and Redis, unless DATABASE_URL / REDIS_URL point at real servers."""

    def __init__(self, *, redis_dir: Path, persistent_redis: bool) -> None:
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None
        self.redis_dir = redis_dir
        self.persistent_redis = persistent_redis

    def start(self) -> dict[str, str]:
        env: dict[str, str] = {}
        if not os.environ.get("DATABASE_URL"):
            started = time.monotonic()
            self.postgres = EmbeddedPostgres(RUN_DIR / "postgres")
            self.postgres.start()
            env["DATABASE_URL"] = self.postgres.ensure_database()
            _say(f"嵌入式 PostgreSQL 已启动（{time.monotonic() - started:.1f} 秒），数据目录 .run/postgres")
        else:
            _say("使用 DATABASE_URL 指定的 PostgreSQL")
        if not os.environ.get("REDIS_URL"):
            self.redis = EmbeddedRedis(self.redis_dir, persistent=self.persistent_redis)
            self.redis.start()
            env["REDIS_URL"] = self.redis.url
            _say(f"嵌入式 Redis 已启动：{self.redis.url}")
        else:
            _say("使用 REDIS_URL 指定的 Redis")
        os.environ.update(env)
        return env

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)  # nosec B603  # fixed argument list, no shell


def _wait_for_http(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a process exited during start-up; see .run/logs/")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)  # nosec B310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} seconds")


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(port: int) -> int:
    """Start everything, print the address and demo accounts, and stop it all cleanly on Ctrl-C."""
    if not port_is_free(port):
        _say(f"端口 {port} 已被占用；请用 --port 指定其他端口。")
        return 2
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    logs = RUN_DIR / "logs"
    logs.mkdir(exist_ok=True)
    services = Services(redis_dir=RUN_DIR / "redis", persistent_redis=True)
    processes: list[subprocess.Popen[bytes]] = []
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        services.start()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
        os.environ.setdefault("DJANGO_SECRET_KEY", _secret_key())
        os.environ.setdefault("DJANGO_DEBUG", "false")
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
        os.environ.setdefault("XF_STATIC_ROOT", str(RUN_DIR / "static"))
        os.environ.setdefault("XF_MEDIA_ROOT", str(RUN_DIR / "media"))
        _say("迁移数据库……")
        _manage("migrate", "--noinput", "-v", "0")
        _manage("collectstatic", "--noinput", "-v", "0")
        _manage("seed_demo")
        bin_dir = Path(sys.executable).parent
        commands = {
            "web": [
                str(bin_dir / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                str(logs / "web-access.log"),
                "--error-logfile",
                str(logs / "web.log"),
            ],
            "worker": [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--logfile",
                str(logs / "worker.log"),
            ],
            "beat": [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(RUN_DIR / "celerybeat-schedule"),
                "--logfile",
                str(logs / "beat.log"),
            ],
        }
        for name, command in commands.items():
            # Children ignore Ctrl-C from the terminal (own session); this process stops them in order.
            output = (logs / f"{name}.out").open("ab")
            processes.append(
                subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=output, stderr=output)  # nosec B603  # fixed argument list, no shell
            )
        url = f"http://127.0.0.1:{port}/"
        _wait_for_http(url + "healthz", processes)
        _say("=" * 60)
        _say(f"系统已启动：{url}")
        _say(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label in DEMO_ACCOUNTS:
            _say(f"  {username:<12} {label}")
        _say(f"{DEMO_OTP_ACCOUNTS} 登录时还需输入验证码：在手机身份验证器中手动添加密钥")
        _say(f"  {DEMO_OTP_SECRET}（基于时间、6位、30秒），或运行 oathtool --totp -b {DEMO_OTP_SECRET}")
        _say("日志：.run/logs/   按 Ctrl-C 停止全部服务")
        _say("=" * 60)
        while not stopping:
            for name, process in zip(commands, processes, strict=True):
                if process.poll() is not None:
                    _say(f"{name} 进程意外退出（代码 {process.returncode}），正在停止全部服务。")
                    stopping = True
            time.sleep(0.5)
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as error:
        _say(f"启动失败：{error}")
        return 1
    finally:
        _say("正在停止……")
        _stop_all(processes)
        services.stop()
        _say("已全部停止。")


def test(pytest_args: list[str]) -> int:
    """Run the suite against embedded services (or DATABASE_URL / REDIS_URL), passing arguments to pytest."""
    with tempfile.TemporaryDirectory(prefix="xf-redis-") as redis_dir:
        services = Services(redis_dir=Path(redis_dir), persistent_redis=False)
        try:
            services.start()
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
            return subprocess.run(  # nosec B603  # fixed argument list, no shell
                [sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=env
            ).returncode
        finally:
            services.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse the sub-command and run it."""
    parser = argparse.ArgumentParser(prog="dev.py", description="信访事项管理系统：本地运行与测试")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="启动数据库、Redis、Web、Celery worker 与 beat")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("XF_PORT", "8000")))
    sub.add_parser("test", help="运行全部测试；其余参数交给 pytest")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["test"]:
        # Everything after "test" belongs to pytest, options included (-x, -m "not e2e", -k …).
        return test(argv[1:])
    args = parser.parse_args(argv)
    return run(args.port)


if __name__ == "__main__":
    sys.exit(main())
