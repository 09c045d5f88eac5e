import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { SkillCapabilities } from '../api/types'
import { SkillCard } from './Skills'

const skill = (name: string, extra: Partial<SkillCapabilities>): SkillCapabilities => ({
  skill_name: name,
  description: 'does a thing',
  operations: {},
  version: '1.0.0',
  author: 'Praximous',
  license: 'MIT',
  wit: 'praximous:skill@0.1.0',
  permissions: { llm: false, network: [], knowledge: 'none', mail: false },
  limits: { memory_mb: 64, timeout_ms: 1000 },
  tier: 'community',
  source: 'builtin',
  signature: { state: 'builtin' },
  ...extra,
})

describe('a skill card', () => {
  it('marks a skill the licence does not unlock as locked, with the tier that has it', () => {
    render(
      <ul>
        <SkillCard skill={skill('pii_redactor', { licence_tier: 'pro', unlocked: false })} />
        <SkillCard skill={skill('echo', {})} />
      </ul>,
    )
    expect(screen.getByTestId('skill-pii_redactor-locked').textContent).toBe('locked: needs the pro tier')
    expect(screen.queryByTestId('skill-echo-locked')).toBeNull()
  })

  it('shows no lock once the licence unlocks it', () => {
    render(
      <ul>
        <SkillCard skill={skill('pii_redactor', { licence_tier: 'pro', unlocked: true })} />
      </ul>,
    )
    expect(screen.queryByTestId('skill-pii_redactor-locked')).toBeNull()
  })
})
