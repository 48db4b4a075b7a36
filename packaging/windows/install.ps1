<#
.SYNOPSIS
  Install webshell-agent as a Windows service from a machine-wide Python 3.11+.

.DESCRIPTION
  Creates a private virtual environment under Program Files (readable by LocalSystem, unlike a
  per-user venv), installs the wheel into it, then runs `webshell-agent service install`, which
  writes %ProgramData%\webshell-agent\agent.toml (Exchange/IIS preset) if none exists, registers
  the service with restart-on-failure and the Application event log source, and starts it.

.EXAMPLE
  # elevated PowerShell
  .\install.ps1 -Wheel .\webshell_agent-0.1.0-py3-none-any.whl
  .\install.ps1 -Wheel .\webshell_agent-0.1.0-py3-none-any.whl -WheelHouse .\wheels   # offline
  .\install.ps1 -Uninstall            # keeps configuration and alerts
  .\install.ps1 -Uninstall -Purge     # removes them too
#>
[CmdletBinding()]
param(
    [string]$Wheel,
    [string]$WheelHouse,
    [string]$Python = "py",
    [string]$PythonVersion = "-3.11",
    [string]$InstallDir = (Join-Path $env:ProgramFiles "webshell-agent"),
    [string]$Config,
    [string]$User,
    [switch]$NoStart,
    [switch]$DryRun,
    [switch]$Uninstall,
    [switch]$Purge
)
$ErrorActionPreference = "Stop"

function Test-Admin {
    $id = [Security.Principal.WindowsIdentity]::GetCurrent()
    (New-Object Security.Principal.WindowsPrincipal $id).IsInRole(
        [Security.Principal.WindowsBuiltInRole]::Administrator)
}
if (-not $DryRun -and -not (Test-Admin)) {
    throw "webshell-agent install needs Administrator: run this from an elevated PowerShell."
}

$venv = Join-Path $InstallDir "venv"
$agent = Join-Path $venv "Scripts\webshell-agent.exe"

if ($Uninstall) {
    if (Test-Path $agent) {
        $cliArgs = @("service", "uninstall")
        if ($Purge) { $cliArgs += "--purge" }
        if ($DryRun) { $cliArgs += "--dry-run" }
        & $agent @args
        if ($LASTEXITCODE -ne 0) { throw "service uninstall failed ($LASTEXITCODE)" }
    }
    if (-not $DryRun) {
        Remove-Item -Recurse -Force $InstallDir -ErrorAction SilentlyContinue
        Write-Host "removed $InstallDir"
    }
    exit 0
}

if (-not $Wheel) { throw "-Wheel PATH is required (the webshell_agent-*.whl to install)" }
$Wheel = (Resolve-Path $Wheel).Path

# A machine-wide interpreter: the service account (LocalSystem) cannot read a per-user install.
$base = & $Python $PythonVersion -c "import sys; print(sys.base_prefix)"
if ($LASTEXITCODE -ne 0) { throw "Python $PythonVersion not found via '$Python' (install it for all users)" }
if ($base -like "$env:USERPROFILE*") {
    throw "Python at $base is a per-user install; the service cannot use it. Install Python for all users."
}
Write-Host "using Python at $base"

if (-not (Test-Path $venv)) {
    & $Python $PythonVersion -m venv $venv
    if ($LASTEXITCODE -ne 0) { throw "could not create $venv" }
    Write-Host "created $venv"
}
$pip = @("-m", "pip", "install", "--disable-pip-version-check", "--upgrade", $Wheel)
if ($WheelHouse) { $pip += @("--no-index", "--find-links", (Resolve-Path $WheelHouse).Path) }
& (Join-Path $venv "Scripts\python.exe") @pip
if ($LASTEXITCODE -ne 0) { throw "pip install failed ($LASTEXITCODE)" }
Write-Host "installed $([IO.Path]::GetFileName($Wheel)) into $venv"

$cliArgs = @("service", "install")
if ($Config) { $cliArgs += @("--config", $Config) }
if ($User) { $cliArgs += @("--user", $User) }
if ($NoStart) { $cliArgs += "--no-start" }
if ($DryRun) { $cliArgs += "--dry-run" }
& $agent @args
if ($LASTEXITCODE -ne 0) { throw "service install failed ($LASTEXITCODE)" }
