"""Drive a running prax with the official `openai` Python SDK, one scenario per run.

Usage: client.py SCENARIO BASE_URL API_KEY
Prints one JSON object: what the SDK returned or raised, for the Rust test to check.
"""
import json
import sys

import openai


def main() -> None:
    scenario, base_url, key = sys.argv[1], sys.argv[2], sys.argv[3]
    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=30)
    out: dict = {"scenario": scenario}
    try:
        if scenario == "models":
            out["ids"] = sorted(model.id for model in client.models.list())
        elif scenario == "complete":
            answer = client.chat.completions.create(
                model="ask",
                messages=[
                    {"role": "system", "content": "Answer briefly."},
                    {"role": "user", "content": "Say hello"},
                ],
                temperature=0.3,
                max_completion_tokens=64,
                stop=["\n\n"],
                user="tester-7",
            )
            out.update(
                content=answer.choices[0].message.content,
                role=answer.choices[0].message.role,
                finish_reason=answer.choices[0].finish_reason,
                usage=answer.usage.model_dump() if answer.usage else None,
                object=answer.object,
                id=answer.id,
                request_id=answer._request_id,
            )
        elif scenario == "multi_turn":
            answer = client.chat.completions.create(
                model="ask",
                messages=[
                    {"role": "user", "content": "My name is Ada."},
                    {"role": "assistant", "content": "Hello, Ada."},
                    {"role": "user", "content": [{"type": "text", "text": "What is my name?"}]},
                ],
            )
            out["content"] = answer.choices[0].message.content
        elif scenario == "stream":
            chunks = list(
                client.chat.completions.create(
                    model="ask",
                    messages=[{"role": "user", "content": "Tell me"}],
                    stream=True,
                    stream_options={"include_usage": True},
                )
            )
            out.update(
                text="".join(c.choices[0].delta.content or "" for c in chunks if c.choices),
                first_role=chunks[0].choices[0].delta.role,
                finish_reasons=[c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason],
                usage=chunks[-1].usage.model_dump() if chunks[-1].usage else None,
                ids=len({c.id for c in chunks}),
            )
        elif scenario == "stream_broken":
            text = ""
            for chunk in client.chat.completions.create(
                model="ask", messages=[{"role": "user", "content": "Tell me"}], stream=True
            ):
                if chunk.choices:
                    text += chunk.choices[0].delta.content or ""
            out["text"] = text
        elif scenario == "embed":
            # The SDK asks for base64 by default and decodes it.
            answer = client.embeddings.create(model="vectors", input=["hello", "Wörld!"])
            out.update(vectors=[item.embedding for item in answer.data], model=answer.model)
        elif scenario == "embed_float":
            answer = client.embeddings.create(model="vectors", input="hi", encoding_format="float")
            out["vectors"] = [item.embedding for item in answer.data]
        elif scenario == "embed_tokens":
            client.embeddings.create(model="vectors", input=[[15339, 1917]])
        elif scenario == "pinned":
            answer = client.chat.completions.create(
                model="google/gemini-pro-exp", messages=[{"role": "user", "content": "Pinned?"}]
            )
            out.update(content=answer.choices[0].message.content, model=answer.model)
        elif scenario == "unknown_model":
            client.chat.completions.create(model="gpt-17", messages=[{"role": "user", "content": "hi"}])
        elif scenario == "two_answers":
            client.chat.completions.create(model="ask", n=2, messages=[{"role": "user", "content": "hi"}])
        elif scenario == "no_providers_left":
            client.chat.completions.create(model="ask", messages=[{"role": "user", "content": "hi"}])
        else:
            raise SystemExit(f"unknown scenario {scenario}")
    except openai.APIStatusError as error:
        out["raised"] = type(error).__name__
        out["status"] = error.status_code
        out["code"] = error.code
        out["message"] = error.message
    except openai.APIError as error:
        out["raised"] = type(error).__name__
        out["message"] = error.message
        out["partial"] = locals().get("text", "")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
