// The analytics charts (recharts). Loaded with the Analytics page only, so other pages stay small.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { ProviderStats, RequestsPerProviderRow, SkillUsage, TasksOverTimePoint } from '../api/types'

const HEIGHT = 220
const ACCENT = '#1f4e79'
const SECOND = '#c0504d'

/** Requests per day, month or year. */
export function TasksOverTimeChart({ points }: { points: TasksOverTimePoint[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="date_group" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Line type="monotone" dataKey="count" name="requests" stroke={ACCENT} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  )
}

/** Requests per provider (skills appear as `skill:<name>`). */
export function RequestsPerProviderChart({ rows }: { rows: RequestsPerProviderRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="provider_name" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Bar dataKey="count" name="requests" fill={ACCENT} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  )
}

/** Average and p95 latency per provider; p95 in the open-ended bucket is drawn at 60 s. */
export function LatencyChart({ rows }: { rows: ProviderStats[] }) {
  const data = rows.map((row) => ({
    provider_name: row.provider_name,
    average: Math.round(row.average_latency),
    p95: row.p95_latency_ms == null ? null : Math.min(row.p95_latency_ms, 60_000),
  }))
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="provider_name" />
        <YAxis unit=" ms" />
        <Tooltip />
        <Legend />
        <Bar dataKey="average" name="average (ms)" fill={ACCENT} isAnimationActive={false} />
        <Bar dataKey="p95" name="p95 (ms)" fill={SECOND} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  )
}

/** Success and error counts. */
export function StatusChart({ success, error }: { success: number; error: number }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={[{ status: 'success', count: success }, { status: 'error', count: error }]} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="status" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Bar dataKey="count" name="requests" fill={ACCENT} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  )
}

/** Calls per skill. */
export function SkillUsageChart({ usage }: { usage: SkillUsage[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={usage} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 24 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey="skill" width={140} />
        <Tooltip />
        <Bar dataKey="count" name="calls" fill={ACCENT} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  )
}
