import type { SkillCapabilities, SkillOperation } from '../api/types'

/** A built-in skill's capabilities as `GET /api/v1/skills` lists them, with `operations`. */
export function builtinSkill(name: string, description: string, operations: Record<string, SkillOperation>): SkillCapabilities {
  return {
    skill_name: name,
    description,
    operations,
    version: '1.0.0',
    author: 'a',
    license: 'MIT',
    wit: 'praximous:skill@0.1.0',
    permissions: { llm: false, network: [], knowledge: 'none', mail: false },
    limits: { memory_mb: 16, timeout_ms: 1000 },
    tier: 'community',
    source: 'builtin',
    signature: { state: 'builtin' },
  }
}
