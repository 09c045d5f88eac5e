import { useState } from 'react'
import { api, looseDataOf } from '../api/client'
import type { SignatureState, SkillCapabilities, SkillsMap } from '../api/types'
import { useApi } from '../api/useApi'
import { hasRole } from '../auth/roles'
import { useSession } from '../auth/session'
import { Empty, Show } from '../components/States'
import { RegistryPanel } from './RegistryPanel'

function signatureText(signature: SignatureState): string {
  switch (signature.state) {
    case 'builtin':
      return 'built in'
    case 'verified':
      return `signed by ${signature.publisher}`
    case 'unsigned':
      return 'unsigned (development source)'
    case 'invalid':
      return `invalid signature: ${signature.reason}`
  }
}

/** The collections a skill may search, for people; `false` when none. */
function knowledgeText(knowledge: SkillCapabilities['permissions']['knowledge']): string | false {
  if (Array.isArray(knowledge)) {
    if (knowledge.length === 0) return false
    return `knowledge: ${knowledge.map((c) => (c === '*' ? 'collections the operator allows' : c)).join(', ')}`
  }
  return knowledge !== 'none' && `knowledge: ${knowledge}`
}

function Permissions({ skill }: { skill: SkillCapabilities }) {
  const { llm, network, knowledge, mail } = skill.permissions
  const items = [
    llm && 'LLM calls',
    mail && 'e-mail',
    network.length > 0 && `network: ${network.map((h) => (h === '*' ? 'hosts the operator allows' : h)).join(', ')}`,
    knowledgeText(knowledge),
  ].filter(Boolean)
  return <>{items.length > 0 ? items.join(' · ') : 'none (pure computation)'}</>
}

/** A skill card; a skill the licence in force does not unlock is listed, marked locked with the tier that has it. */
export function SkillCard({ skill }: { skill: SkillCapabilities }) {
  const [open, setOpen] = useState(false)
  const id = `skill-${skill.skill_name}`
  return (
    <li className="skill" data-testid={id}>
      <h2>
        <button type="button" className="disclosure" aria-expanded={open} aria-controls={`${id}-body`} onClick={() => setOpen(!open)}>
          {skill.skill_name} <span className="muted">{skill.version}</span>
        </button>
        <span className={`badge ${skill.signature.state === 'invalid' ? 'badge-bad' : 'badge-neutral'}`}>{signatureText(skill.signature)}</span>
        <span className="badge badge-neutral">{skill.tier}</span>
        {skill.licence_tier && skill.unlocked === false && (
          <span className="badge badge-warn" data-testid={`${id}-locked`}>
            locked: needs the {skill.licence_tier} tier
          </span>
        )}
      </h2>
      <p>{skill.description}</p>
      <dl className="facts">
        <dt>Permissions</dt>
        <dd>
          <Permissions skill={skill} />
        </dd>
        <dt>Limits</dt>
        <dd>
          {skill.limits.memory_mb} MiB · {skill.limits.timeout_ms} ms{skill.limits.cpu_ms ? ` · ${skill.limits.cpu_ms} ms CPU` : ''}
        </dd>
        <dt>Author</dt>
        <dd>
          {skill.author} · {skill.license} · {skill.source} · {skill.wit}
        </dd>
      </dl>
      {open && (
        <div id={`${id}-body`}>
          {Object.entries(skill.operations).map(([name, op]) => (
            <section key={name} className="operation">
              <h3>{name}</h3>
              <p>{op.description}</p>
              <h4>Parameters</h4>
              <pre>{JSON.stringify(op.params, null, 2)}</pre>
              {op.example_request_payload && (
                <>
                  <h4>Example request</h4>
                  <pre>{JSON.stringify(op.example_request_payload, null, 2)}</pre>
                </>
              )}
            </section>
          ))}
        </div>
      )}
    </li>
  )
}

/** Every skill this Praximous runs; admins also browse the registry and install, update or remove. */
export function Skills() {
  const { me } = useSession()
  const [skills, reload] = useApi((s) => looseDataOf<SkillsMap>(api.GET('/api/v1/skills', { signal: s })), 'skills')
  return (
    <section aria-labelledby="skills-title">
      <h1 id="skills-title">Skills</h1>
      <Show value={skills} what="skills" onRetry={reload}>
        {(catalogue) =>
          Object.keys(catalogue).length === 0 ? (
            <Empty>No skill is loaded. Install one from the registry, or check the server log for skills it refused.</Empty>
          ) : (
            <ul className="skill-list">
              {Object.values(catalogue).map((skill) => (
                <SkillCard key={skill.skill_name} skill={skill} />
              ))}
            </ul>
          )
        }
      </Show>
      {me && hasRole(me.role, 'admin') && <RegistryPanel onChanged={reload} />}
    </section>
  )
}
