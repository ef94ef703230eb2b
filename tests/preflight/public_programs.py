"""Public Pulumi Python programs nobody here wrote, reproduced: same resource graph, same idioms.

Nothing fetched is committed. Each entry below is our own rewrite of one program from
github.com/pulumi/examples at commit 40c09b266d44e9975e15289c42cc0c2ad8d14995 (or, where the entry
names another `repo`, pulumi/templates or pulumi/training at the commit given below; the path is given
per entry): the same resources with the same links, written in the same style (Args classes or dicts,
`get_*` data sources at program time, `apply`, `Output.json_dumps`, several modules, `depends_on`,
explicit providers, StackReference, components). The second round adds: another provider's resources
as inputs (pulumi_random), one resource per file of a folder, a `get_policy_document(...).json` trust
policy, resources only when configured, whole resources as stack outputs, rules as their own resources
(`SecurityGroupRule`), settings in a module of their own with `pulumi.get_organization()`, and three
components in three modules. The third round adds a dynamic provider, remote and local commands
(pulumi_command), docker images pushed with an ECR login decoded at program time, a MySQL provider fed by an
RDS endpoint, keys read from files, multi-language components (pulumi_awsx, pulumi_aws_apigateway: registered
with remote=True, recorded with unknown outputs and reported as not judged) inside local components, and
invokes whose inputs are unknown. `types` is what the original itself synthesises to (run offline with
`preflight plan`, every type and how many), so a reproduction that drifts from its original fails its test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Where `source` paths point unless an entry names another repository (`repo`).
EXAMPLES = "pulumi/examples@40c09b266d44e9975e15289c42cc0c2ad8d14995"
TEMPLATES = "pulumi/templates@65db26bfbdb2fef067d2a10dcadef7b553b36d60"
TRAINING = "pulumi/training@d091274ebcd31b74f6719625b31ac2da54be147b"


@dataclass(frozen=True)
class PublicProgram:
    source: str  # path in `repo`
    main: str
    types: dict[str, int]
    config: dict[str, object] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    name: str = "public"
    repo: str = EXAMPLES
    #: What the original reads and does not manage (`Resource.get`, StackReference): (type, id) by URN order.
    reads: list[tuple[str, str]] = field(default_factory=list)


ASSUME_ROLE_POLICY = """
def assume(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Sid": "", "Principal": {"Service": service}}]})
"""

PROGRAMS: dict[str, PublicProgram] = {
    "webserver": PublicProgram(
        source="aws-py-webserver/__main__.py",
        main="""
import pulumi
import pulumi_aws as aws

size = "t2.micro"
ami = aws.ec2.get_ami(most_recent=True, owners=["137112412989"],
                      filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*"])])
group = aws.ec2.SecurityGroup("web-secgrp", description="Enable HTTP access",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])])
user_data = "#!/bin/bash\\necho 'Hello, World!' > index.html\\nnohup python -m SimpleHTTPServer 80 &"
server = aws.ec2.Instance("web-server-www", instance_type=size, vpc_security_group_ids=[group.id],
                          user_data=user_data, ami=ami.id)
pulumi.export("public_ip", server.public_ip)
pulumi.export("public_dns", server.public_dns)
""",
        types={"aws:ec2/instance:Instance": 1, "aws:ec2/securityGroup:SecurityGroup": 1},
    ),
    "fargate": PublicProgram(
        source="aws-py-fargate/__main__.py",
        main="""
import json
import pulumi
import pulumi_aws as aws

cluster = aws.ecs.Cluster("cluster")
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
group = aws.ec2.SecurityGroup("web-secgrp", vpc_id=vpc.id, description="Enable HTTP access",
    ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])
alb = aws.lb.LoadBalancer("app-lb", security_groups=[group.id], subnets=subnets.ids)
tg = aws.lb.TargetGroup("app-tg", port=80, protocol="HTTP", target_type="ip", vpc_id=vpc.id)
listener = aws.lb.Listener("web", load_balancer_arn=alb.arn, port=80,
                           default_actions=[{"type": "forward", "target_group_arn": tg.arn}])
role = aws.iam.Role("task-exec-role", assume_role_policy=json.dumps({"Version": "2008-10-17", "Statement": [{
    "Sid": "", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("task-exec-policy", role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
task = aws.ecs.TaskDefinition("app-task", family="fargate-task-definition", cpu="256", memory="512",
    network_mode="awsvpc", requires_compatibilities=["FARGATE"], execution_role_arn=role.arn,
    container_definitions=json.dumps([{"name": "my-app", "image": "nginx",
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]}]))
aws.ecs.Service("app-svc", cluster=cluster.arn, desired_count=3, launch_type="FARGATE",
    task_definition=task.arn,
    network_configuration={"assign_public_ip": True, "subnets": subnets.ids, "security_groups": [group.id]},
    load_balancers=[{"target_group_arn": tg.arn, "container_name": "my-app", "container_port": 80}],
    opts=pulumi.ResourceOptions(depends_on=[listener]))
pulumi.export("url", alb.dns_name)
""",
        types={
            "aws:ec2/securityGroup:SecurityGroup": 1,
            "aws:ecs/cluster:Cluster": 1,
            "aws:ecs/service:Service": 1,
            "aws:ecs/taskDefinition:TaskDefinition": 1,
            "aws:iam/role:Role": 1,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
            "aws:lb/listener:Listener": 1,
            "aws:lb/loadBalancer:LoadBalancer": 1,
            "aws:lb/targetGroup:TargetGroup": 1,
        },
    ),
    "eks": PublicProgram(
        source="aws-py-eks/{__main__,iam,vpc,utils}.py",
        main="""
import iam
import pulumi
import utils
import vpc
from pulumi_aws import eks

cluster = eks.Cluster("eks-cluster", role_arn=iam.eks_role.arn, tags={"Name": "pulumi-eks-cluster"},
    vpc_config=eks.ClusterVpcConfigArgs(public_access_cidrs=["0.0.0.0/0"],
        security_group_ids=[vpc.eks_security_group.id], subnet_ids=vpc.subnet_ids))
eks.NodeGroup("eks-node-group", cluster_name=cluster.name, node_group_name="pulumi-eks-nodegroup",
    node_role_arn=iam.ec2_role.arn, subnet_ids=vpc.subnet_ids, tags={"Name": "pulumi-cluster-nodeGroup"},
    scaling_config=eks.NodeGroupScalingConfigArgs(desired_size=2, max_size=2, min_size=1))
pulumi.export("cluster-name", cluster.name)
pulumi.export("kubeconfig", utils.kubeconfig(cluster))
""",
        files={
            "iam.py": "import json\nfrom pulumi_aws import iam\n"
            + ASSUME_ROLE_POLICY
            + """
eks_role = iam.Role("eks-iam-role", assume_role_policy=assume("eks.amazonaws.com"))
for name, policy in [("eks-service", "AmazonEKSServicePolicy"), ("eks-cluster", "AmazonEKSClusterPolicy")]:
    iam.RolePolicyAttachment(f"{name}-policy-attachment", role=eks_role.id,
                             policy_arn=f"arn:aws:iam::aws:policy/{policy}")
ec2_role = iam.Role("ec2-nodegroup-iam-role", assume_role_policy=assume("ec2.amazonaws.com"))
for name, policy in [("eks-workernode", "AmazonEKSWorkerNodePolicy"), ("eks-cni", "AmazonEKS_CNI_Policy"),
                     ("ec2-container-ro", "AmazonEC2ContainerRegistryReadOnly")]:
    iam.RolePolicyAttachment(f"{name}-policy-attachment", role=ec2_role.id,
                             policy_arn=f"arn:aws:iam::aws:policy/{policy}")
""",
            "vpc.py": """
from pulumi_aws import ec2, get_availability_zones

vpc = ec2.Vpc("eks-vpc", cidr_block="10.100.0.0/16", instance_tenancy="default",
              enable_dns_hostnames=True, enable_dns_support=True, tags={"Name": "pulumi-eks-vpc"})
igw = ec2.InternetGateway("vpc-ig", vpc_id=vpc.id, tags={"Name": "pulumi-vpc-ig"})
route_table = ec2.RouteTable("vpc-route-table", vpc_id=vpc.id,
    routes=[ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)], tags={"Name": "pulumi-vpc-rt"})
subnet_ids = []
for zone in get_availability_zones().names:
    subnet = ec2.Subnet(f"vpc-subnet-{zone}", assign_ipv6_address_on_creation=False, vpc_id=vpc.id,
        map_public_ip_on_launch=True, cidr_block=f"10.100.{len(subnet_ids)}.0/24", availability_zone=zone,
        tags={"Name": f"pulumi-sn-{zone}"})
    ec2.RouteTableAssociation(f"vpc-route-table-assoc-{zone}", route_table_id=route_table.id, subnet_id=subnet.id)
    subnet_ids.append(subnet.id)
eks_security_group = ec2.SecurityGroup("eks-cluster-sg", vpc_id=vpc.id,
    description="Allow all HTTP(s) traffic to EKS Cluster", tags={"Name": "pulumi-cluster-sg"},
    ingress=[ec2.SecurityGroupIngressArgs(cidr_blocks=["0.0.0.0/0"], from_port=443, to_port=443, protocol="tcp",
                                          description="Allow pods to communicate with the cluster API Server."),
             ec2.SecurityGroupIngressArgs(cidr_blocks=["0.0.0.0/0"], from_port=80, to_port=80, protocol="tcp",
                                          description="Allow internet access to pods")])
""",
            "utils.py": """
import pulumi

def kubeconfig(cluster):
    return pulumi.Output.json_dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "aws",
        "clusters": [{"name": "kubernetes", "cluster": {"server": cluster.endpoint,
            "certificate-authority-data": cluster.certificate_authority.apply(lambda v: v.data)}}],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "users": [{"name": "aws", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws-iam-authenticator", "args": ["token", "-i", cluster.endpoint]}}}],
    })
""",
        },
        types={
            "aws:ec2/internetGateway:InternetGateway": 1,
            "aws:ec2/routeTable:RouteTable": 1,
            # One subnet per zone of get_availability_zones(): us-east-1 has six (preflight/zones.json).
            "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
            "aws:ec2/securityGroup:SecurityGroup": 1,
            "aws:ec2/subnet:Subnet": 6,
            "aws:ec2/vpc:Vpc": 1,
            "aws:eks/cluster:Cluster": 1,
            "aws:eks/nodeGroup:NodeGroup": 1,
            "aws:iam/role:Role": 2,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 5,
        },
    ),
    "stepfunctions": PublicProgram(
        source="aws-py-stepfunctions/{__main__,iam}.py",
        main="""
import iam
import pulumi
from pulumi_aws import lambda_, sfn

fn = lambda_.Function("helloWorldFunction", role=iam.lambda_role.arn, runtime="python3.12",
    handler="hello.handler", code=pulumi.AssetArchive({".": pulumi.FileArchive("./step_hello")}))
machine = sfn.StateMachine("stateMachine", role_arn=iam.sfn_role.arn, definition=fn.arn.apply(lambda arn: '''{
    "Comment": "A Hello World example of the Amazon States Language using an AWS Lambda Function",
    "StartAt": "HelloWorld",
    "States": {"HelloWorld": {"Type": "Task", "Resource": "%s", "End": true}}}''' % arn))
pulumi.export("state_machine_arn", machine.id)
""",
        files={
            "step_hello/hello.py": "def handler(event, context):\n    return 'Hello, World!'\n",
            "iam.py": """
import json
from pulumi_aws import config, iam

lambda_role = iam.Role("lambdaRole", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow"}]}))
iam.RolePolicy("lambdaRolePolicy", role=lambda_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:*:*:*"}]}))
sfn_role = iam.Role("sfnRole", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": f"states.{config.region}.amazonaws.com"},
     "Action": "sts:AssumeRole"}]}))
iam.RolePolicy("sfnRolePolicy", role=sfn_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": "*"}]}))
""",
        },
        types={
            "aws:iam/role:Role": 2,
            "aws:iam/rolePolicy:RolePolicy": 2,
            "aws:lambda/function:Function": 1,
            "aws:sfn/stateMachine:StateMachine": 1,
        },
    ),
    "http-api-quickcreate": PublicProgram(
        source="aws-py-apigatewayv2-http-api-quickcreate/__main__.py",
        main="""
import json
import pulumi
import pulumi_aws as aws

role = aws.iam.Role("lambdaRole", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]}))
aws.iam.RolePolicyAttachment("lambdaRoleAttachment", role=role,
                             policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE)
fn = aws.lambda_.Function("lambdaFunction", code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
                          runtime="nodejs20.x", role=role.arn, handler="index.handler")
aws.lambda_.Permission("lambdaPermission", action="lambda:InvokeFunction", principal="apigateway.amazonaws.com",
                       function=fn)
api = aws.apigatewayv2.Api("httpApiGateway", protocol_type="HTTP", route_key="GET /", target=fn.invoke_arn)
pulumi.export("endpoint", api.api_endpoint)
""",
        files={"app/index.js": "exports.handler = async () => ({ statusCode: 200, body: 'hi' });\n"},
        types={
            "aws:apigatewayv2/api:Api": 1,
            "aws:iam/role:Role": 1,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
            "aws:lambda/function:Function": 1,
            "aws:lambda/permission:Permission": 1,
        },
    ),
    "secrets-manager": PublicProgram(
        source="aws-py-secrets-manager/__main__.py",
        main="""
import pulumi
import pulumi_aws as aws

secret = aws.secretsmanager.Secret("secret")
version = aws.secretsmanager.SecretVersion("secret", secret_id=secret.id, secret_string="mystring")
pulumi.export("secret_id", secret.id)
""",
        types={"aws:secretsmanager/secret:Secret": 1, "aws:secretsmanager/secretVersion:SecretVersion": 1},
    ),
}

PROGRAMS.update(
    {
        "redshift-glue": PublicProgram(
            source="aws-py-redshift-glue-etl/__main__.py",
            name="redshift-glue",
            config={
                "redshift-glue:clusterIdentifier": "my-redshift-cluster",
                "redshift-glue:clusterNodeType": "ra3.xlplus",
                "redshift-glue:clusterDBName": "dev",
                "redshift-glue:clusterDBUsername": "admin",
                "redshift-glue:clusterDBPassword": {"secure": "v1:AAAA"},
                "redshift-glue:glueDBName": "my-glue-db",
            },
            files={"glue-job.py": "print('etl')\n"},
            main="""
import json
import pulumi
from pulumi_aws import ec2, glue, iam, redshift, s3

config = pulumi.Config()
cluster_identifier = config.require("clusterIdentifier")
node_type = config.require("clusterNodeType")
db_name = config.require("clusterDBName")
db_user = config.require("clusterDBUsername")
db_password = config.require_secret("clusterDBPassword")
glue_db_name = config.require("glueDBName")
region = pulumi.Config("aws").require("region")
every_15_minutes = "cron(0/15 * * * ? *)"

def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}]})

vpc = ec2.Vpc("vpc", ec2.VpcArgs(cidr_block="10.0.0.0/16", enable_dns_hostnames=True))
subnet = ec2.Subnet("subnet", ec2.SubnetArgs(vpc_id=vpc.id, cidr_block="10.0.1.0/24"))
subnet_group = redshift.SubnetGroup("subnet-group", redshift.SubnetGroupArgs(subnet_ids=[subnet.id]))
redshift_role = iam.Role("redshift-role", iam.RoleArgs(assume_role_policy=trust("redshift.amazonaws.com"),
    managed_policy_arns=[iam.ManagedPolicy.AMAZON_S3_READ_ONLY_ACCESS]))
ec2.VpcEndpoint("s3-vpc-endpoint", ec2.VpcEndpointArgs(vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.s3",
    route_table_ids=[vpc.main_route_table_id]))
cluster = redshift.Cluster("cluster", redshift.ClusterArgs(cluster_identifier=cluster_identifier,
    database_name=db_name, master_username=db_user, master_password=db_password, node_type=node_type,
    cluster_subnet_group_name=subnet_group.name, cluster_type="single-node", publicly_accessible=False,
    skip_final_snapshot=True, vpc_security_group_ids=[vpc.default_security_group_id],
    iam_roles=[redshift_role.arn]))
catalog = glue.CatalogDatabase("glue-catalog-db", glue.CatalogDatabaseArgs(name=glue_db_name))
glue_role = iam.Role("glue-role", iam.RoleArgs(assume_role_policy=trust("glue.amazonaws.com"),
    managed_policy_arns=[iam.ManagedPolicy.AMAZON_S3_FULL_ACCESS,
                         "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"]))
events = s3.Bucket("events", force_destroy=True)
glue.Crawler("glue-crawler", glue.CrawlerArgs(database_name=catalog.name, role=glue_role.arn,
    schedule=every_15_minutes,
    s3_targets=[glue.CrawlerS3TargetArgs(path=events.bucket.apply(lambda name: f"s3://{name}"))]))
connection = glue.Connection("glue-redshift-connection", glue.ConnectionArgs(connection_type="JDBC",
    connection_properties={
        "JDBC_CONNECTION_URL": cluster.endpoint.apply(lambda e: f"jdbc:redshift://{e}/{db_name}"),
        "USERNAME": db_user, "PASSWORD": db_password},
    physical_connection_requirements=glue.ConnectionPhysicalConnectionRequirementsArgs(
        security_group_id_lists=cluster.vpc_security_group_ids, availability_zone=subnet.availability_zone,
        subnet_id=subnet.id)))
job_bucket = s3.Bucket("glue-job-bucket", force_destroy=True)
s3.BucketObject("glue-job.py", s3.BucketObjectArgs(bucket=job_bucket.id,
                                                    source=pulumi.asset.FileAsset("./glue-job.py")))
job = glue.Job("glue-job", glue.JobArgs(role_arn=glue_role.arn, glue_version="3.0",
    connections=[connection.name], number_of_workers=10, worker_type="G.1X",
    default_arguments={"--job-bookmark-option": "job-bookmark-enable", "--ConnectionName": connection.name,
        "--GlueDBName": glue_db_name, "--GlueDBTableName": events.bucket.apply(lambda n: n.replace("-", "_")),
        "--RedshiftDBName": db_name, "--RedshiftDBTableName": "events", "--RedshiftRoleARN": redshift_role.arn,
        "--TempDir": job_bucket.bucket.apply(lambda n: f"s3://{n}/glue-job-temp")},
    command=glue.JobCommandArgs(script_location=job_bucket.bucket.apply(lambda n: f"s3://{n}/glue-job.py"),
                                python_version="3")))
glue.Trigger("trigger", glue.TriggerArgs(schedule=every_15_minutes, type="SCHEDULED",
                                         actions=[glue.TriggerActionArgs(job_name=job.name)]))
pulumi.export("dataBucketName", events.bucket)
""",
            types={
                "aws:ec2/subnet:Subnet": 1,
                "aws:ec2/vpc:Vpc": 1,
                "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
                "aws:glue/catalogDatabase:CatalogDatabase": 1,
                "aws:glue/connection:Connection": 1,
                "aws:glue/crawler:Crawler": 1,
                "aws:glue/job:Job": 1,
                "aws:glue/trigger:Trigger": 1,
                "aws:iam/role:Role": 2,
                "aws:redshift/cluster:Cluster": 1,
                "aws:redshift/subnetGroup:SubnetGroup": 1,
                "aws:s3/bucket:Bucket": 2,
                "aws:s3/bucketObject:BucketObject": 1,
            },
        ),
        "static-website": PublicProgram(
            source="aws-py-static-website/__main__.py",
            name="static-website",
            config={
                "aws:region": "us-west-2",
                "static-website:targetDomain": "www.example.com",
                "static-website:pathToWebsiteContents": "./www",
            },
            files={"www/index.html": "<h1>hi</h1>\n", "www/404.html": "<h1>not found</h1>\n"},
            main="""
import mimetypes
import os
import pulumi
import pulumi_aws
import pulumi_aws.acm
import pulumi_aws.cloudfront
import pulumi_aws.route53
import pulumi_aws.s3
from pulumi import Config, FileAsset, Output, ResourceOptions, export

TEN_MINUTES = 600

def setup_acl(name, bucket, acl):
    ownership = pulumi_aws.s3.BucketOwnershipControls(name, bucket=bucket.bucket,
                                                      rule={"object_ownership": "BucketOwnerPreferred"})
    block = pulumi_aws.s3.BucketPublicAccessBlock(name, bucket=bucket.bucket, block_public_acls=False,
        block_public_policy=False, ignore_public_acls=False, restrict_public_buckets=False)
    pulumi_aws.s3.BucketAcl(name, bucket=bucket.bucket, acl=acl,
                            opts=ResourceOptions(depends_on=[ownership, block]))

def split_domain(domain):
    parts = domain.split(".")
    return (parts[0], ".".join(parts[1:]) + ".") if len(parts) > 2 else ("", domain + ".")

config = Config()
target_domain = config.require("targetDomain")
contents = config.require("pathToWebsiteContents")
certificate_arn = config.get("certificateArn")

content_bucket = pulumi_aws.s3.Bucket(f"{target_domain}-content")
website = pulumi_aws.s3.BucketWebsiteConfiguration(f"{target_domain}-website", bucket=content_bucket.bucket,
    index_document={"suffix": "index.html"}, error_document={"key": "404.html"})
root = os.path.join(os.getcwd(), contents)
for folder, _, files in sorted(os.walk(root)):
    for file in sorted(files):
        path = os.path.join(folder, file)
        relative = path.replace(root + "/", "")
        pulumi_aws.s3.BucketObject(relative, key=relative, bucket=content_bucket.id,
            content_type=mimetypes.guess_type(path)[0], source=FileAsset(path),
            opts=ResourceOptions(parent=content_bucket))

if certificate_arn is None:
    east = pulumi_aws.Provider("east", region="us-east-1")
    certificate = pulumi_aws.acm.Certificate("certificate", domain_name=target_domain, validation_method="DNS",
                                             opts=ResourceOptions(provider=east))
    _, parent = split_domain(target_domain)
    zone_id = pulumi_aws.route53.get_zone(name=parent).id
    options = certificate.domain_validation_options
    record = pulumi_aws.route53.Record(f"{target_domain}-validation", zone_id=zone_id, ttl=TEN_MINUTES,
        name=options.apply(lambda o: o[0].resource_record_name),
        type=options.apply(lambda o: o[0].resource_record_type),
        records=[options.apply(lambda o: o[0].resource_record_value)])
    validation = pulumi_aws.acm.CertificateValidation("certificateValidation", certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn], opts=ResourceOptions(provider=east))
    certificate_arn = validation.certificate_arn

logs_bucket = pulumi_aws.s3.Bucket(f"{target_domain}-logs")
setup_acl("requestLogs", logs_bucket, "private")
C = pulumi_aws.cloudfront
cdn = C.Distribution("cdn", enabled=True, aliases=[target_domain], default_root_object="index.html",
    origins=[C.DistributionOriginArgs(origin_id=content_bucket.arn, domain_name=website.website_endpoint,
        custom_origin_config=C.DistributionOriginCustomOriginConfigArgs(origin_protocol_policy="http-only",
            http_port=80, https_port=443, origin_ssl_protocols=["TLSv1.2"]))],
    default_cache_behavior=C.DistributionDefaultCacheBehaviorArgs(target_origin_id=content_bucket.arn,
        viewer_protocol_policy="redirect-to-https", allowed_methods=["GET", "HEAD", "OPTIONS"],
        cached_methods=["GET", "HEAD", "OPTIONS"], min_ttl=0, default_ttl=TEN_MINUTES, max_ttl=TEN_MINUTES,
        forwarded_values=C.DistributionDefaultCacheBehaviorForwardedValuesArgs(query_string=False,
            cookies=C.DistributionDefaultCacheBehaviorForwardedValuesCookiesArgs(forward="none"))),
    price_class="PriceClass_100",
    custom_error_responses=[C.DistributionCustomErrorResponseArgs(error_code=404, response_code=404,
                                                                  response_page_path="/404.html")],
    viewer_certificate=C.DistributionViewerCertificateArgs(acm_certificate_arn=certificate_arn,
                                                           ssl_support_method="sni-only"),
    restrictions=C.DistributionRestrictionsArgs(
        geo_restriction=C.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")),
    logging_config=C.DistributionLoggingConfigArgs(bucket=logs_bucket.bucket_domain_name, include_cookies=False,
                                                   prefix=f"{target_domain}/"),
    wait_for_deployment=False)
sub, parent = split_domain(target_domain)
pulumi_aws.route53.Record(target_domain, name=sub, zone_id=pulumi_aws.route53.get_zone(name=parent).id, type="A",
    aliases=[pulumi_aws.route53.RecordAliasArgs(name=cdn.domain_name, zone_id=cdn.hosted_zone_id,
                                                 evaluate_target_health=True)])
export("content_bucket_url", Output.concat("s3://", content_bucket.bucket))
export("cloudfront_domain", cdn.domain_name)
""",
            types={
                "aws:acm/certificate:Certificate": 1,
                "aws:acm/certificateValidation:CertificateValidation": 1,
                "aws:cloudfront/distribution:Distribution": 1,
                "aws:route53/record:Record": 2,
                "aws:s3/bucket:Bucket": 2,
                "aws:s3/bucketAcl:BucketAcl": 1,
                "aws:s3/bucketObject:BucketObject": 2,
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
                "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": 1,
                "pulumi:providers:aws": 1,
            },
        ),
        "stackreference-team": PublicProgram(
            source="aws-py-stackreference/team/__main__.py",
            name="team",
            config={
                "team:companyStack": "acme/company/dev",
                "team:departmentStack": "acme/department/dev",
                "team:teamName": "web",
            },
            main="""
from pulumi import Config, StackReference, export
from pulumi_aws import ec2

config = Config()
company = StackReference(config.require("companyStack"))
department = StackReference(config.require("departmentStack"))
tags = {"department": department.get_output("departmentName"), "company": company.get_output("companyName"),
        "team": config.require("teamName"), "Managed By": "Pulumi"}
ami = ec2.get_ami(most_recent=True, owners=["099720109477"],
    filters=[{"name": "name", "values": ["ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-*"]}]).id
instance = ec2.Instance("tagged", instance_type="t2.medium", ami=ami, tags=tags)
export("instance_id", instance.id)
""",
            types={"aws:ec2/instance:Instance": 1},  # stack references are reads, not resources to deploy
            reads=[
                ("pulumi:pulumi:StackReference", "acme/company/dev"),
                ("pulumi:pulumi:StackReference", "acme/department/dev"),
            ],
        ),
        "assume-role": PublicProgram(
            source="aws-py-assume-role/assume-role/__main__.py",
            name="assume-role",
            config={"assume-role:roleToAssumeARN": "arn:aws:iam::123456789012:role/preview-role"},
            main="""
import pulumi_aws as aws
from pulumi import Config, ResourceOptions, export, runtime

role_arn = Config().require("roleToAssumeARN")
region = Config("aws").require("region")
if runtime.is_dry_run():
    provider = aws.Provider("privileged", region=region)
else:
    provider = aws.Provider("privileged", region=region,
        assume_roles=[{"role_arn": role_arn, "session_name": "PulumiSession", "externalId": "PulumiApplication"}])
bucket = aws.s3.Bucket("my-bucket", opts=ResourceOptions(provider=provider))
export("bucket_name", bucket.bucket_domain_name)
""",
            types={"aws:s3/bucket:Bucket": 1, "pulumi:providers:aws": 1},
        ),
        "http-api-eventbridge": PublicProgram(
            source="aws-py-apigatewayv2-eventbridge/__main__.py",
            files={"api/handlers.py": "def capture_order(event, context):\n    return event\n"},
            main="""
import json
import pulumi
import pulumi_aws as aws

def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}]})

api = aws.apigatewayv2.Api("example", protocol_type="HTTP")
stage = aws.apigatewayv2.Stage("stage", api_id=api.id, name=pulumi.get_stack(), auto_deploy=True)
bus = aws.cloudwatch.EventBus("bus")
rule = aws.cloudwatch.EventRule("rule", event_bus_name=bus.name,
                                event_pattern=json.dumps({"source": ["my-event-source"]}))
api_role = aws.iam.Role("api-gateway-role", assume_role_policy=trust("apigateway.amazonaws.com"),
                        managed_policy_arns=["arn:aws:iam::aws:policy/AmazonEventBridgeFullAccess"])
integration = aws.apigatewayv2.Integration("integration", api_id=api.id, integration_type="AWS_PROXY",
    integration_subtype="EventBridge-PutEvents", credentials_arn=api_role.arn,
    request_parameters={"EventBusName": bus.name.apply(lambda name: name), "Source": "my-event-source",
                        "DetailType": "my-detail-type", "Detail": "$request.body"})
aws.apigatewayv2.Route("route", api_id=api.id, route_key="POST /uploads",
                       target=integration.id.apply(lambda i: f"integrations/{i}"))
fn_role = aws.iam.Role("lambda-role", assume_role_policy=trust("lambda.amazonaws.com"))
aws.iam.RolePolicy("lambda-role-policy", role=fn_role.id, policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                   "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:*"}]}))
fn = aws.lambda_.Function("lambda", role=fn_role.arn, runtime="python3.12", handler="handlers.capture_order",
                          code=pulumi.AssetArchive({".": pulumi.FileArchive("./api")}))
aws.cloudwatch.EventTarget("lambda-target", arn=fn.arn, rule=rule.name, event_bus_name=bus.name)
aws.lambda_.Permission("lambda-permission", action="lambda:InvokeFunction", principal="events.amazonaws.com",
                       function=fn.arn, source_arn=rule.arn)
pulumi.export("url", pulumi.Output.concat(api.api_endpoint, "/", stage.name))
""",
            types={
                "aws:apigatewayv2/api:Api": 1,
                "aws:apigatewayv2/integration:Integration": 1,
                "aws:apigatewayv2/route:Route": 1,
                "aws:apigatewayv2/stage:Stage": 1,
                "aws:cloudwatch/eventBus:EventBus": 1,
                "aws:cloudwatch/eventRule:EventRule": 1,
                "aws:cloudwatch/eventTarget:EventTarget": 1,
                "aws:iam/role:Role": 2,
                "aws:iam/rolePolicy:RolePolicy": 1,
                "aws:lambda/function:Function": 1,
                "aws:lambda/permission:Permission": 1,
            },
        ),
    }
)

PROGRAMS["apigateway-rest-and-http"] = PublicProgram(
    source="aws-py-apigateway-lambda-serverless/{__main__,iam}.py",
    files={
        "hello_lambda/hello.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
        "iam.py": """
import json
from pulumi_aws import iam

lambda_role = iam.Role("lambdaRole", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]}))
iam.RolePolicy("lambdaRolePolicy", role=lambda_role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:*:*:*"}]}))
""",
    },
    main="""
import iam
import pulumi
import pulumi_aws as aws

region = aws.config.region
stage_name = "example"
fn = aws.lambda_.Function("mylambda", role=iam.lambda_role.arn, runtime="python3.12", handler="hello.handler",
                          code=pulumi.AssetArchive({".": pulumi.FileArchive("./hello_lambda")}))

def route(arn):
    return {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
        "uri": pulumi.Output.format("arn:aws:apigateway:{0}:lambda:path/2015-03-31/functions/{1}/invocations",
                                    region, arn),
        "passthroughBehavior": "when_no_match", "httpMethod": "POST", "type": "aws_proxy"}}}

rest = aws.apigateway.RestApi("api", body=pulumi.Output.json_dumps({"swagger": "2.0",
    "info": {"title": "api", "version": "1.0"}, "paths": {"/{proxy+}": route(fn.arn)}}))
deployment = aws.apigateway.Deployment("api-deployment", rest_api=rest.id)
stage = aws.apigateway.Stage("api-stage", rest_api=rest.id, deployment=deployment.id, stage_name=stage_name)
aws.lambda_.Permission("api-rest-lambda-permission", action="lambda:invokeFunction", function=fn.name,
    principal="apigateway.amazonaws.com", source_arn=stage.execution_arn.apply(lambda arn: arn + "*/*"))
http = aws.apigatewayv2.Api("http-api-pulumi-example", protocol_type="HTTP")
backend = aws.apigatewayv2.Integration("example", api_id=http.id, integration_type="AWS_PROXY",
    connection_type="INTERNET", description="Lambda example", integration_method="POST",
    integration_uri=fn.arn, passthrough_behavior="WHEN_NO_MATCH")
http_route = aws.apigatewayv2.Route("example-route", api_id=http.id, route_key="ANY /{proxy+}",
                                    target=backend.id.apply(lambda i: "integrations/" + i))
http_stage = aws.apigatewayv2.Stage("example-stage", api_id=http.id, auto_deploy=True,
    route_settings=[{"route_key": http_route.route_key, "throttling_burst_limit": 1, "throttling_rate_limit": 0.5}])
aws.lambda_.Permission("api-http-lambda-permission", action="lambda:invokeFunction", function=fn.name,
    principal="apigateway.amazonaws.com", source_arn=http.execution_arn.apply(lambda arn: arn + "*/*"))
pulumi.export("rest", stage.invoke_url.apply(lambda url: url + stage_name + "/{proxy+}"))
pulumi.export("http", pulumi.Output.all(http.api_endpoint, http_stage.name).apply(lambda v: v[0] + "/" + v[1]))
""",
    types={
        "aws:apigateway/deployment:Deployment": 1,
        "aws:apigateway/restApi:RestApi": 1,
        "aws:apigateway/stage:Stage": 1,
        "aws:apigatewayv2/api:Api": 1,
        "aws:apigatewayv2/integration:Integration": 1,
        "aws:apigatewayv2/route:Route": 1,
        "aws:apigatewayv2/stage:Stage": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 1,
        "aws:lambda/function:Function": 1,
        "aws:lambda/permission:Permission": 2,
    },
)

PROGRAMS["ecs-on-ec2"] = PublicProgram(
    source="aws-py-ecs-instances-autoapi/py-ecs-instance/__main__.py",
    config={"cfg:autoscalingGroupSize": 2},
    main="""
import json
import pulumi
import pulumi_aws as aws

region = aws.config.region or "us-east-1"
size = int(pulumi.Config("cfg").require("autoscalingGroupSize"))
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])])
sg = aws.ec2.SecurityGroup("nginx-sg", description="Allow HTTP", vpc_id=vpc.id,
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol=-1, from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])

def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "", "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})

exec_role = aws.iam.Role("task-execution-role", assume_role_policy=trust("ecs-tasks.amazonaws.com"))
aws.iam.RolePolicyAttachment("task-excution-policy-attach", role=exec_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
instance_role = aws.iam.Role("ecs-instance-role", assume_role_policy=trust("ec2.amazonaws.com"))
aws.iam.RolePolicyAttachment("ecs-instance-policy-attach", role=instance_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
profile = aws.iam.InstanceProfile("ecs-iam-instance-profile", role=instance_role.name)
ami = aws.ec2.get_ami(most_recent="true", owners=["amazon"],
                      filters=[{"name": "name", "values": ["amzn2-ami-ecs-hvm-*-x86_64-*"]}])
cluster_name = "my-fancy-new-ecs-cluster"
launch = aws.ec2.LaunchConfiguration("launch-config", image_id=ami.id, instance_type="t2.micro",
    iam_instance_profile=profile.name,
    user_data=f"#!/bin/bash\\necho ECS_CLUSTER={cluster_name} >> /etc/ecs/ecs.config")
group = aws.autoscaling.Group("auto-scaling", availability_zones=[region + "a"], launch_configuration=launch.name,
                              min_size=size, max_size=size, protect_from_scale_in=False)
provider = aws.ecs.CapacityProvider("capacity-provider",
    auto_scaling_group_provider=aws.ecs.CapacityProviderAutoScalingGroupProviderArgs(
        auto_scaling_group_arn=group.arn, managed_termination_protection="DISABLED",
        managed_scaling=aws.ecs.CapacityProviderAutoScalingGroupProviderManagedScalingArgs(status="DISABLED")))
cluster = aws.ecs.Cluster("cluster", name=cluster_name)
lb = aws.lb.LoadBalancer("load-balancer", load_balancer_type="application", security_groups=[sg.id],
                         subnets=subnets.ids, internal=False)
tg = aws.lb.TargetGroup("app-tg", port=80, protocol="HTTP", target_type="ip", vpc_id=vpc.id)
listener = aws.lb.Listener("web", load_balancer_arn=lb.arn, port=80,
    default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=tg.arn)])
task = aws.ecs.TaskDefinition("my-app", family="ec2-task-definition", cpu="256", memory="512",
    network_mode="awsvpc", requires_compatibilities=["EC2"], execution_role_arn=exec_role.arn,
    container_definitions=json.dumps([{"name": "my-app", "image": "nginx",
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]}]),
    opts=pulumi.ResourceOptions(depends_on=[cluster]))
aws.ecs.Service("my-task-runner", cluster=cluster.arn, launch_type="EC2", desired_count=1,
    task_definition=task.arn,
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(assign_public_ip=False, subnets=subnets.ids,
                                                                  security_groups=[sg.id]),
    load_balancers=[aws.ecs.ServiceLoadBalancerArgs(target_group_arn=tg.arn, container_name="my-app",
                                                    container_port=80)],
    opts=pulumi.ResourceOptions(depends_on=[listener]))
pulumi.export("url", lb.dns_name)
""",
    types={
        "aws:autoscaling/group:Group": 1,
        "aws:ec2/launchConfiguration:LaunchConfiguration": 1,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:ecs/capacityProvider:CapacityProvider": 1,
        "aws:ecs/cluster:Cluster": 1,
        "aws:ecs/service:Service": 1,
        "aws:ecs/taskDefinition:TaskDefinition": 1,
        "aws:iam/instanceProfile:InstanceProfile": 1,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,
        "aws:lb/listener:Listener": 1,
        "aws:lb/loadBalancer:LoadBalancer": 1,
        "aws:lb/targetGroup:TargetGroup": 1,
    },
)

# Second round (issue 11 §1-§3, run on the originals as a user would): idioms the first round lacks.
PROGRAMS.update(
    {
        # A resource of another provider (pulumi_random) as an input; GraphQL API; indexing an output map.
        "appsync": PublicProgram(
            source="aws-py-appsync/__main__.py",
            main="""
import json
import pulumi_random as random
from pulumi import Output, export
from pulumi_aws import appsync, dynamodb, iam

table = dynamodb.Table("tenants", hash_key="id", attributes=[dynamodb.TableAttributeArgs(name="id", type="S")],
                       read_capacity=1, write_capacity=1)
role = iam.Role("iam-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Principal": {"Service": "appsync.amazonaws.com"}, "Effect": "Allow"}]}))
policy = iam.Policy("iam-policy", policy=Output.json_dumps({"Version": "2012-10-17", "Statement": [
    {"Action": ["dynamodb:PutItem", "dynamodb:GetItem"], "Effect": "Allow", "Resource": [table.arn]}]}))
iam.RolePolicyAttachment("iam-policy-attachment", role=role.name, policy_arn=policy.arn)
schema = ("type Query { getTenantById(id: ID!): Tenant }\\ntype Tenant { id: ID! name: String }\\n"
          "schema { query: Query }")
api = appsync.GraphQLApi("key", authentication_type="API_KEY", schema=schema)
api_key = appsync.ApiKey("key", api_id=api.id)
suffix = random.RandomString("random-datasource-name", length=15, special=False, number=False)
source = appsync.DataSource("tenants-ds", name=suffix.result, api_id=api.id, type="AMAZON_DYNAMODB",
    dynamodb_config=appsync.DataSourceDynamodbConfigArgs(table_name=table.name), service_role_arn=role.arn)
for name, kind, field in (("get-resolver", "Query", "getTenantById"), ("add-resolver", "Mutation", "addTenant")):
    appsync.Resolver(name, api_id=api.id, data_source=source.name, type=kind, field=field,
                     request_template='{"version": "2017-02-28", "operation": "GetItem"}',
                     response_template="$util.toJson($ctx.result)")
export("endpoint", api.uris["GRAPHQL"])
export("key", api_key.key)
""",
            types={
                "aws:appsync/apiKey:ApiKey": 1,
                "aws:appsync/dataSource:DataSource": 1,
                "aws:appsync/graphQLApi:GraphQLApi": 1,
                "aws:appsync/resolver:Resolver": 2,
                "aws:dynamodb/table:Table": 1,
                "aws:iam/policy:Policy": 1,
                "aws:iam/role:Role": 1,
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
                "random:index/randomString:RandomString": 1,
            },
        ),
        # One resource per file of a folder (os.listdir at program time); Output.format inside json_dumps.
        "s3-folder": PublicProgram(
            source="aws-py-s3-folder/__main__.py",
            files={"www/index.html": "<html>hello</html>\\n", "www/favicon.png": "png\\n", "www/python.png": "png\\n"},
            main="""
import mimetypes
import os
from pulumi import FileAsset, Output, ResourceOptions, export
from pulumi_aws import s3

bucket = s3.Bucket("s3-website-bucket")
site = s3.BucketWebsiteConfiguration("s3-website", bucket=bucket.bucket, index_document={"suffix": "index.html"})
block = s3.BucketPublicAccessBlock("public-access-block", bucket=bucket.id, block_public_acls=False)
for file in sorted(os.listdir("www")):
    path = os.path.join("www", file)
    s3.BucketObject(file, bucket=bucket.id, source=FileAsset(path), content_type=mimetypes.guess_type(path)[0])

def public_read(name):
    return Output.json_dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": ["s3:GetObject"], "Resource": [Output.format("arn:aws:s3:::{0}/*", name)]}]})

s3.BucketPolicy("bucket-policy", bucket=bucket.id, policy=public_read(bucket.id),
                opts=ResourceOptions(depends_on=[block]))
export("website_url", site.website_endpoint)
""",
            types={
                "aws:s3/bucket:Bucket": 1,
                "aws:s3/bucketObject:BucketObject": 3,
                "aws:s3/bucketPolicy:BucketPolicy": 1,
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
                "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": 1,
            },
        ),
        # A policy document from the `get_policy_document` data source (`.json`); `config.get_float`; a
        # resource only when configured; provisioned concurrency on the published version; a Swagger body.
        "serverless-raw": PublicProgram(
            source="aws-py-serverless-raw/__main__.py",
            name="serverless-raw",
            config={"serverless-raw:provisionedConcurrency": 1},
            main="""
import pulumi
import pulumi_aws as aws

region = aws.config.region
table = aws.dynamodb.Table("counterTable", attributes=[aws.dynamodb.TableAttributeArgs(name="Id", type="S")],
                           hash_key="Id", read_capacity=1, write_capacity=1)
trust = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(actions=["sts:AssumeRole"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(identifiers=["lambda.amazonaws.com"],
                                                                type="Service")])])
role = aws.iam.Role("mylambda-role", assume_role_policy=trust.json)
policy = aws.iam.RolePolicy("mylambda-policy", role=role.id, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": [
        {"Action": ["dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem"], "Resource": table.arn,
         "Effect": "Allow"},
        {"Action": ["logs:*", "cloudwatch:*"], "Resource": "*", "Effect": "Allow"}]}))
concurrency = pulumi.Config().get_float("provisionedConcurrency")
fn = aws.lambda_.Function("mylambda", opts=pulumi.ResourceOptions(depends_on=[policy]), runtime="dotnet8",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app/bin/Release/net8.0/publish")}), timeout=300,
    handler="app::app.Functions::GetAsync", role=role.arn, publish=bool(concurrency),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"COUNTER_TABLE": table.name}))
if concurrency:
    aws.lambda_.ProvisionedConcurrencyConfig("concurrency", function_name=fn.name, qualifier=fn.version,
                                             provisioned_concurrent_executions=concurrency)

def route(arn):
    return {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
        "uri": pulumi.Output.format("arn:aws:apigateway:{0}:lambda:path/2015-03-31/functions/{1}/invocations",
                                    region, arn),
        "passthroughBehavior": "when_no_match", "httpMethod": "POST", "type": "aws_proxy"}}}

api = aws.apigateway.RestApi("api", body=pulumi.Output.json_dumps({"swagger": "2.0",
    "info": {"title": "api", "version": "1.0"}, "paths": {"/{proxy+}": fn.arn.apply(route)}}))
deployment = aws.apigateway.Deployment("api-deployment", rest_api=api.id)
stage = aws.apigateway.Stage("api-stage", rest_api=api.id, deployment=deployment.id, stage_name="api")
aws.lambda_.Permission("api-lambda-permission", action="lambda:invokeFunction", function=fn.name,
    principal="apigateway.amazonaws.com", source_arn=stage.execution_arn.apply(lambda arn: arn + "*/*"))
pulumi.export("endpoint", stage.invoke_url.apply(lambda url: url + "api"))
""",
            types={
                "aws:apigateway/deployment:Deployment": 1,
                "aws:apigateway/restApi:RestApi": 1,
                "aws:apigateway/stage:Stage": 1,
                "aws:dynamodb/table:Table": 1,
                "aws:iam/role:Role": 1,
                "aws:iam/rolePolicy:RolePolicy": 1,
                "aws:lambda/function:Function": 1,
                "aws:lambda/permission:Permission": 1,
                "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": 1,
            },
        ),
    }
)

PROGRAMS.update(
    {
        # Many services in one flat module, imported as submodules (`from pulumi_aws import ecr, ...`), the old
        # `cloudwatch.EventRule` names, an Elastic IP, a Kinesis stream, a public ECR repository policy.
        "resources": PublicProgram(
            source="aws-py-resources/__main__.py",
            main="""
import json
from pulumi_aws import cloudwatch, dynamodb, ec2, ecr, ecs, iam, kinesis, sns, sqs

logins = sns.Topic("myloginstopic")
rule = cloudwatch.EventRule("myeventrule", event_pattern=json.dumps({"detail-type": ["AWS Console Sign In"]}))
cloudwatch.EventTarget("myeventtarget", rule=rule.name, target_id="SendToSNS", arn=logins.arn)
logs = cloudwatch.LogGroup("myloggroup")
cloudwatch.LogMetricFilter("mylogmetricfilter", pattern="", log_group_name=logs.name,
    metric_transformation=cloudwatch.LogMetricFilterMetricTransformationArgs(name="EventCount",
                                                                             namespace="YourNamespace", value="1"))
cloudwatch.LogStream("mylogstream", log_group_name=logs.name)
cloudwatch.MetricAlarm("mymetricalarm", comparison_operator="GreaterThanOrEqualToThreshold", evaluation_periods=2,
    metric_name="CPUUtilization", namespace="AWS/EC2", period=120, statistic="Average", threshold=80)
dynamodb.Table("mytable", attributes=[dynamodb.TableAttributeArgs(name="Id", type="S")], hash_key="Id",
               read_capacity=1, write_capacity=1)
ec2.Eip("myeip")
ec2.SecurityGroup("mysecuritygroup",
    ingress=[ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])])
vpc = ec2.Vpc("myvpc", cidr_block="10.0.0.0/16")
igw = ec2.InternetGateway("myinternetgateway", vpc_id=vpc.id)
ec2.RouteTable("myroutetable", routes=[ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
               vpc_id=vpc.id)
repository = ecr.Repository("myrepository")
ecr.RepositoryPolicy("myrepositorypolicy", repository=repository.id, policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Sid": "new policy", "Effect": "Allow", "Principal": "*",
                   "Action": ["ecr:GetDownloadUrlForLayer", "ecr:PutImage", "ecr:DeleteRepository"]}]}))
ecr.LifecyclePolicy("mylifecyclepolicy", repository=repository.id, policy=json.dumps({"rules": [{
    "rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}))
ecs.Cluster("mycluster")
role = iam.Role("myrole", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]}))
describe = json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Action": ["ec2:Describe*"], "Effect": "Allow", "Resource": "*"}]})
iam.RolePolicy("myrolepolicy", role=role.id, policy=describe)
policy = iam.Policy("mypolicy", policy=describe)
iam.RolePolicyAttachment("myrolepolicyattachment", role=role.id, policy_arn=policy.arn)
iam.User("myuser")
iam.Group("mygroup")
kinesis.Stream("mystream", shard_count=1)
queue = sqs.Queue("myqueue")
topic = sns.Topic("mytopic")
sns.TopicSubscription("mytopicsubscription", topic=topic.arn, protocol="sqs", endpoint=queue.arn)
""",
            types={
                "aws:cloudwatch/eventRule:EventRule": 1,
                "aws:cloudwatch/eventTarget:EventTarget": 1,
                "aws:cloudwatch/logGroup:LogGroup": 1,
                "aws:cloudwatch/logMetricFilter:LogMetricFilter": 1,
                "aws:cloudwatch/logStream:LogStream": 1,
                "aws:cloudwatch/metricAlarm:MetricAlarm": 1,
                "aws:dynamodb/table:Table": 1,
                "aws:ec2/eip:Eip": 1,
                "aws:ec2/internetGateway:InternetGateway": 1,
                "aws:ec2/routeTable:RouteTable": 1,
                "aws:ec2/securityGroup:SecurityGroup": 1,
                "aws:ec2/vpc:Vpc": 1,
                "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
                "aws:ecr/repository:Repository": 1,
                "aws:ecr/repositoryPolicy:RepositoryPolicy": 1,
                "aws:ecs/cluster:Cluster": 1,
                "aws:iam/group:Group": 1,
                "aws:iam/policy:Policy": 1,
                "aws:iam/role:Role": 1,
                "aws:iam/rolePolicy:RolePolicy": 1,
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
                "aws:iam/user:User": 1,
                "aws:kinesis/stream:Stream": 1,
                "aws:sns/topic:Topic": 2,
                "aws:sns/topicSubscription:TopicSubscription": 1,
                "aws:sqs/queue:Queue": 1,
            },
        ),
        # `pulumi new vm-aws-python`: config with fallbacks (`config.get(...)`, then `if ... is None`), a
        # `get_ami(...).id` read at program time, a VPC built by hand, routes as a list of dicts.
        "vm-template": PublicProgram(
            repo=TEMPLATES,
            source="vm-aws-python/__main__.py",
            name="vm-aws-python",
            config={"vm-aws-python:instanceType": "t3.micro", "vm-aws-python:vpcNetworkCidr": "10.0.0.0/16"},
            main="""
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
instance_type = config.get("instanceType")
if instance_type is None:
    instance_type = "t3.micro"
cidr = config.get("vpcNetworkCidr") or "10.0.0.0/16"
ami = aws.ec2.get_ami(filters=[{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}], owners=["amazon"],
                      most_recent=True).id
vpc = aws.ec2.Vpc("vpc", cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True)
gateway = aws.ec2.InternetGateway("gateway", vpc_id=vpc.id)
subnet = aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", map_public_ip_on_launch=True)
routes = aws.ec2.RouteTable("routeTable", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}])
aws.ec2.RouteTableAssociation("routeTableAssociation", subnet_id=subnet.id, route_table_id=routes.id)
group = aws.ec2.SecurityGroup("secGroup", description="Enable HTTP access", vpc_id=vpc.id,
    ingress=[{"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}])
server = aws.ec2.Instance("server", instance_type=instance_type, subnet_id=subnet.id,
    vpc_security_group_ids=[group.id], user_data="#!/bin/bash\\nnohup python3 -m http.server 80 &", ami=ami,
    tags={"Name": "webserver"})
pulumi.export("url", server.public_dns.apply(lambda dns: f"http://{dns}"))
""",
            types={
                "aws:ec2/instance:Instance": 1,
                "aws:ec2/internetGateway:InternetGateway": 1,
                "aws:ec2/routeTable:RouteTable": 1,
                "aws:ec2/routeTableAssociation:RouteTableAssociation": 1,
                "aws:ec2/securityGroup:SecurityGroup": 1,
                "aws:ec2/subnet:Subnet": 1,
                "aws:ec2/vpc:Vpc": 1,
            },
        ),
        # Whole resources exported as stack outputs (`pulumi.export("server", server)`), as pulumi/examples'
        # unit-testing example does.
        "export-resources": PublicProgram(
            source="testing-unit-py/__main__.py",
            main="""
import pulumi
from pulumi_aws import ec2

group = ec2.SecurityGroup("web-secgrp",
    ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}])
ami_id = ec2.get_ami(most_recent=True, owners=["099720109477"], filters=[ec2.GetAmiFilterArgs(
    name="name", values=["ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-*"])]).id
server = ec2.Instance("web-server-www", instance_type="t2.micro", vpc_security_group_ids=[group.id],
                      tags={"Name": "webserver"}, ami=ami_id)
pulumi.export("group", group)
pulumi.export("server", server)
pulumi.export("publicIp", server.public_ip)
""",
            types={"aws:ec2/instance:Instance": 1, "aws:ec2/securityGroup:SecurityGroup": 1},
        ),
        # A rule as its own resource (`SecurityGroupRule`) rather than inline `ingress`.
        "security-group-rule": PublicProgram(
            repo=TRAINING,
            source="aws-python/4_resource-options/solutions/exercise-4.__main__.py",
            main="""
import pulumi_aws as aws

group = aws.ec2.SecurityGroup("web-sg", description="Enable HTTP access", tags={"Name": "web-sg"})
aws.ec2.SecurityGroupRule("http_access", security_group_id=group.id, description="Enable HTTP access",
                          type="ingress", protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])
""",
            types={"aws:ec2/securityGroup:SecurityGroup": 1, "aws:ec2/securityGroupRule:SecurityGroupRule": 1},
        ),
        # Settings in a module of their own (`import config`), `pulumi.get_organization()` in a default,
        # `Output.secret`, `Output.concat`/`format`/`apply` and an f-string over an Output (a classic mistake).
        "config-module": PublicProgram(
            repo=TRAINING,
            source="aws-python/2_stack-advanced-topics/solutions/exercise-4/{__main__,config}.py",
            name="stack-advanced-topics",
            config={"stack-advanced-topics:db_password": {"secure": "v1:AAAA"}},
            files={
                "config.py": """
                import pulumi

                config = pulumi.Config()
                base_name = config.get("base_name") or f"{pulumi.get_organization()}-{pulumi.get_stack()}".lower()
                db_username = config.get("db_username") or "dbadmin"
                db_password = config.require_secret("db_password")
                """
            },
            main="""
import pulumi
from pulumi_aws import rds

import config

db = rds.Instance(f"{config.base_name}-rds", instance_class="db.t3.micro", allocated_storage=20, engine="mariadb",
                  engine_version="10.6", password=config.db_password, username=config.db_username,
                  skip_final_snapshot=True)
pulumi.export("db_password", config.db_password)
pulumi.export("db_admin", pulumi.Output.secret(config.db_username))
pulumi.export("db_endpoint_wrong", f"DB connection endpoint-> ${db.endpoint}")
pulumi.export("db_endpoint_using_concat", pulumi.Output.concat("DB connection endpoint-> ", db.endpoint))
pulumi.export("db_endpoint_using_format", pulumi.Output.format("DB connection endpoint-> {0}", db.endpoint))
pulumi.export("db_endpoint_using_apply", db.endpoint.apply(lambda e: f"DB connection endpoint-> {e}"))
""",
            types={"aws:rds/instance:Instance": 1},
        ),
    }
)

# Three components in three modules (`import network, backend, frontend` from the program's directory), Args
# classes, `get_availability_zones()` names picking subnets, and a random password (pulumi_random) when the
# stack sets none, flowing into the database and the task's environment.
PROGRAMS["wordpress-fargate-rds"] = PublicProgram(
    source="aws-py-wordpress-fargate-rds/{__main__,network,backend,frontend}.py",
    name="wordpress-ecs-rds",
    config={"wordpress-ecs-rds:service_name": "my-wp-demo"},
    files={
        "network.py": """
        from pulumi import ComponentResource, ResourceOptions
        from pulumi_aws import ec2, get_availability_zones


        class VpcArgs:
            def __init__(self, cidr_block="10.100.0.0/16"):
                self.cidr_block = cidr_block


        class Vpc(ComponentResource):
            def __init__(self, name, args, opts=None):
                super().__init__("custom:resource:VPC", name, {}, opts)
                child = ResourceOptions(parent=self)
                self.vpc = ec2.Vpc(f"{name}-vpc", cidr_block=args.cidr_block, enable_dns_hostnames=True,
                                   tags={"Name": f"{name}-vpc"}, opts=child)
                igw = ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, opts=child)
                table = ec2.RouteTable(f"{name}-rt", vpc_id=self.vpc.id,
                    routes=[ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)], opts=child)
                zones = get_availability_zones()
                self.subnets = []
                for zone in [zones.names[0], zones.names[1]]:
                    subnet = ec2.Subnet(f"{name}-subnet-{zone}", vpc_id=self.vpc.id, map_public_ip_on_launch=True,
                        cidr_block=f"10.100.{len(self.subnets)}.0/24", availability_zone=zone, opts=child)
                    ec2.RouteTableAssociation(f"vpc-route-table-assoc-{zone}", route_table_id=table.id,
                                              subnet_id=subnet.id, opts=child)
                    self.subnets.append(subnet)
                egress = [ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0,
                                                      cidr_blocks=["0.0.0.0/0"])]
                self.rds_security_group = ec2.SecurityGroup(f"{name}-rds-sg", vpc_id=self.vpc.id,
                    description="Allow client access.", egress=egress, opts=child,
                    ingress=[ec2.SecurityGroupIngressArgs(cidr_blocks=["0.0.0.0/0"], from_port=3306, to_port=3306,
                                                          protocol="tcp", description="Allow rds access.")])
                self.fe_security_group = ec2.SecurityGroup(f"{name}-fe-sg", vpc_id=self.vpc.id,
                    description="Allow all HTTP(s) traffic.", egress=egress, opts=child,
                    ingress=[ec2.SecurityGroupIngressArgs(cidr_blocks=["0.0.0.0/0"], from_port=port, to_port=port,
                                                          protocol="tcp") for port in (443, 80)])
                self.register_outputs({})
        """,
        "backend.py": """
        from pulumi import ComponentResource, ResourceOptions
        from pulumi_aws import rds


        class DbArgs:
            def __init__(self, db_name=None, db_user=None, db_password=None, subnet_ids=None,
                         security_group_ids=None):
                self.db_name, self.db_user, self.db_password = db_name, db_user, db_password
                self.subnet_ids, self.security_group_ids = subnet_ids, security_group_ids


        class Db(ComponentResource):
            def __init__(self, name, args, opts=None):
                super().__init__("custom:resource:Backend", name, {}, opts)
                group = rds.SubnetGroup(f"{name}-sng", subnet_ids=args.subnet_ids, opts=ResourceOptions(parent=self))
                self.db = rds.Instance(f"{name}-rds", db_name=args.db_name, allocated_storage=20, engine="mysql",
                    engine_version="5.7", instance_class="db.t3.micro", storage_type="gp2",
                    db_subnet_group_name=group.id, username=args.db_user, password=args.db_password,
                    vpc_security_group_ids=args.security_group_ids, skip_final_snapshot=True,
                    publicly_accessible=False, opts=ResourceOptions(parent=self))
                self.register_outputs({})
        """,
        "frontend.py": """
        import json
        import pulumi_aws as aws
        from pulumi import ComponentResource, Output, ResourceOptions


        class WebServiceArgs:
            def __init__(self, db_host=None, db_name=None, db_user=None, db_password=None, vpc_id=None,
                         subnet_ids=None, security_group_ids=None):
                self.db_host, self.db_name, self.db_user, self.db_password = db_host, db_name, db_user, db_password
                self.vpc_id, self.subnet_ids, self.security_group_ids = vpc_id, subnet_ids, security_group_ids


        class WebService(ComponentResource):
            def __init__(self, name, args, opts=None):
                super().__init__("custom:resource:Frontend", name, {}, opts)
                child = ResourceOptions(parent=self)
                self.cluster = aws.ecs.Cluster(f"{name}-ecs", opts=child)
                self.alb = aws.lb.LoadBalancer(f"{name}-alb", security_groups=args.security_group_ids,
                                               subnets=args.subnet_ids, opts=child)
                group = aws.lb.TargetGroup(f"{name}-app-tg", port=80, protocol="HTTP", target_type="ip",
                    vpc_id=args.vpc_id, health_check=aws.lb.TargetGroupHealthCheckArgs(matcher="200-399"), opts=child)
                listener = aws.lb.Listener(f"{name}-listener", load_balancer_arn=self.alb.arn, port=80,
                    default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=group.arn)],
                    opts=child)
                role = aws.iam.Role(f"{name}-task-role", opts=child, assume_role_policy=json.dumps({
                    "Version": "2008-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}))
                aws.iam.RolePolicyAttachment(f"{name}-task-policy", role=role.name, opts=child,
                    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
                container = f"{name}-app-container"
                task = aws.ecs.TaskDefinition(f"{name}-app-task", family="fargate-task-definition", cpu="256",
                    memory="512", network_mode="awsvpc", requires_compatibilities=["FARGATE"],
                    execution_role_arn=role.arn, opts=child, container_definitions=Output.json_dumps([{
                        "name": container, "image": "wordpress",
                        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                        "environment": [{"name": "WORDPRESS_DB_HOST", "value": Output.format("{0}:3306", args.db_host)},
                                        {"name": "WORDPRESS_DB_NAME", "value": args.db_name},
                                        {"name": "WORDPRESS_DB_USER", "value": args.db_user},
                                        {"name": "WORDPRESS_DB_PASSWORD", "value": args.db_password}]}]))
                aws.ecs.Service(f"{name}-app-svc", cluster=self.cluster.arn, desired_count=1, launch_type="FARGATE",
                    task_definition=task.arn,
                    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(assign_public_ip=True,
                        subnets=args.subnet_ids, security_groups=args.security_group_ids),
                    load_balancers=[aws.ecs.ServiceLoadBalancerArgs(target_group_arn=group.arn,
                                                                    container_name=container, container_port=80)],
                    opts=ResourceOptions(depends_on=[listener], parent=self))
                self.register_outputs({})
        """,
    },
    main="""
import pulumi
import pulumi_random as random
import backend
import frontend
import network

config = pulumi.Config()
service_name = config.get("service_name") or "wp-example"
db_password = config.get_secret("db_password")
if not db_password:
    db_password = random.RandomPassword("db_password", length=16, special=True, override_special="_%@").result
net = network.Vpc(f"{service_name}-net", network.VpcArgs())
subnet_ids = [subnet.id for subnet in net.subnets]
be = backend.Db(f"{service_name}-be", backend.DbArgs(db_name="lampdb", db_user="admin", db_password=db_password,
                subnet_ids=subnet_ids, security_group_ids=[net.rds_security_group.id]))
fe = frontend.WebService(f"{service_name}-fe", frontend.WebServiceArgs(db_host=be.db.address, db_name=be.db.db_name,
    db_user=be.db.username, db_password=be.db.password, vpc_id=net.vpc.id, subnet_ids=subnet_ids,
    security_group_ids=[net.fe_security_group.id]))
pulumi.export("Web Service URL", pulumi.Output.concat("http://", fe.alb.dns_name))
pulumi.export("DB Password", be.db.password)
""",
    types={
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/routeTable:RouteTable": 1,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
        "aws:ec2/securityGroup:SecurityGroup": 2,
        "aws:ec2/subnet:Subnet": 2,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ecs/cluster:Cluster": 1,
        "aws:ecs/service:Service": 1,
        "aws:ecs/taskDefinition:TaskDefinition": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:lb/listener:Listener": 1,
        "aws:lb/loadBalancer:LoadBalancer": 1,
        "aws:lb/targetGroup:TargetGroup": 1,
        "aws:rds/instance:Instance": 1,
        "aws:rds/subnetGroup:SubnetGroup": 1,
        "custom:resource:Backend": 1,
        "custom:resource:Frontend": 1,
        "custom:resource:VPC": 1,
        "random:index/randomPassword:RandomPassword": 1,
    },
)

# Third round: a dynamic provider, remote and local commands (pulumi_command), docker images built and pushed
# with registry credentials decoded from a data source, a MySQL provider fed by an RDS endpoint, multi-language
# components (pulumi_awsx, pulumi_aws_apigateway: remote=True, reported as not judged), resources read by id
# (`Resource.get`), secrets read from files, and transit-gateway networking built in three component classes.
PROGRAMS.update(
    {
        "dynamic-provider": PublicProgram(
            source="aws-py-dynamicresource/{__main__,mysql_dynamic_provider}.py",
            name="dynamicresource",
            config={
                "dynamicresource:sql-admin-name": "admin",
                "dynamicresource:sql-admin-password": "correct-horse-battery",
                "dynamicresource:sql-user-name": "votes",
                "dynamicresource:sql-user-password": "staple-staple-staple",
            },
            files={
                # The original imports mysql.connector at the top; its provider never runs offline, so the
                # reproduction leaves the driver out (it is not a Pulumi package and plays no part in the graph).
                "mysql_dynamic_provider.py": """
from pulumi import Input, Output
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class SchemaInputs:
    creator_name: Input[str]
    creator_password: Input[str]
    server_address: Input[str]
    database_name: Input[str]
    creation_script: Input[str]
    deletion_script: Input[str]

    def __init__(self, creator_name, creator_password, server_address, database_name, creation_script,
                 deletion_script):
        self.creator_name = creator_name
        self.creator_password = creator_password
        self.server_address = server_address
        self.database_name = database_name
        self.creation_script = creation_script
        self.deletion_script = deletion_script


class SchemaProvider(ResourceProvider):
    def create(self, args):
        return CreateResult("schema-" + args["database_name"], outs=args)

    def diff(self, id, old_inputs, new_inputs):
        replaces = [k for k in ("server_address", "database_name", "creation_script")
                    if old_inputs[k] != new_inputs[k]]
        return DiffResult(changes=old_inputs != new_inputs, replaces=replaces, delete_before_replace=True)

    def update(self, id, old_inputs, new_inputs):
        return UpdateResult(outs={**new_inputs})


class Schema(Resource):
    creator_name: Output[str]
    server_address: Output[str]
    database_name: Output[str]

    def __init__(self, name, args, opts=None):
        super().__init__(SchemaProvider(), name, vars(args), opts)
""",
            },
            main="""
import pulumi
import pulumi_aws as aws
import pulumi_mysql as mysql
from mysql_dynamic_provider import *

config = pulumi.Config()
admin_name = config.require("sql-admin-name")
admin_password = config.require_secret("sql-admin-password")
user_name = config.require("sql-user-name")
user_password = config.require_secret("sql-user-password")
availability_zone = aws.config.region

app_vpc = aws.ec2.Vpc("app-vpc", cidr_block="172.31.0.0/16", enable_dns_hostnames=True)
# A whole resource where the SDK takes its id (`vpc_id=app_vpc`), as the original does.
subnet = aws.ec2.Subnet("app-vpc-subnet", cidr_block="172.31.0.0/20", availability_zone=availability_zone + "a",
                        vpc_id=app_vpc)
gateway = aws.ec2.InternetGateway("app-gateway", vpc_id=app_vpc.id)
table = aws.ec2.RouteTable("app-routetable", vpc_id=app_vpc.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=gateway.id)])
aws.ec2.MainRouteTableAssociation("app_routetable_association", route_table_id=table.id, vpc_id=app_vpc)
group = aws.ec2.SecurityGroup("security-group", vpc_id=app_vpc.id, description="Enables HTTP access",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=0, to_port=65535, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
extra = aws.ec2.Subnet("extra-rds-subnet", cidr_block="172.31.128.0/20", availability_zone=availability_zone + "b",
                       vpc_id=app_vpc)
subnets = aws.rds.SubnetGroup("app-database-subnetgroup", subnet_ids=[subnet.id, extra.id])
server = aws.rds.Instance("mysql-server", engine="mysql", username=admin_name, password=admin_password,
    instance_class="db.t3.micro", allocated_storage=20, skip_final_snapshot=True, publicly_accessible=True,
    db_subnet_group_name=subnets.id, vpc_security_group_ids=[group.id])
provider = mysql.Provider("mysql-provider", endpoint=server.endpoint, username=admin_name, password=admin_password)
database = mysql.Database("mysql-database", name="votes-database", opts=pulumi.ResourceOptions(provider=provider))
user = mysql.User("mysql-standard-user", user=user_name, host="example.com", plaintext_password=user_password,
                  opts=pulumi.ResourceOptions(provider=provider))
mysql.Grant("mysql-access-grant", user=user.user, host=user.host, database=database.name,
            privileges=["SELECT", "UPDATE"], opts=pulumi.ResourceOptions(provider=provider))
creation = "CREATE TABLE votesTable (choice_id int(10) NOT NULL AUTO_INCREMENT, PRIMARY KEY (choice_id));"
votes = Schema(name="mysql_votes_table", args=SchemaInputs(admin_name, admin_password, server.address,
               database.name, creation, "DROP TABLE votesTable CASCADE"))
pulumi.export("dynamic-resource-id", votes.id)
""",
            types={
                "aws:ec2/internetGateway:InternetGateway": 1,
                "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": 1,
                "aws:ec2/routeTable:RouteTable": 1,
                "aws:ec2/securityGroup:SecurityGroup": 1,
                "aws:ec2/subnet:Subnet": 2,
                "aws:ec2/vpc:Vpc": 1,
                "aws:rds/instance:Instance": 1,
                "aws:rds/subnetGroup:SubnetGroup": 1,
                "mysql:index/database:Database": 1,
                "mysql:index/grant:Grant": 1,
                "mysql:index/user:User": 1,
                "pulumi-python:dynamic:Resource": 1,
                "pulumi:providers:mysql": 1,
            },
        ),
        "ec2-provisioners": PublicProgram(
            source="aws-py-ec2-provisioners/__main__.py",
            name="provisioners",
            config={
                "provisioners:publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreflightPublicKeyOnly preflight",
                # A plain PEM-looking value, not `secure:`: the engine now fabricates the instance's `publicIp`
                # (review F4), so the connection is known and the program's `decode_key` must see a PEM header, or it
                # hands pulumi_command bytes ("unexpected input of type bytes"), as `up` would with a non-PEM key;
                # the offline `secure:` placeholder is no PEM key.
                "provisioners:privateKey": "-----BEGIN RSA PRIVATE KEY-----PreflightNotAKey",
            },
            files={"myapp.conf": "[app]\\nport = 80\\n"},
            main="""
import base64
import pulumi
import pulumi_aws as aws
import pulumi_command as command

config = pulumi.Config()
key_name = config.get("keyName")
public_key = config.get("publicKey")


def decode_key(key):
    try:
        key = base64.b64decode(key.encode("ascii")).decode("ascii")
    except Exception:
        pass
    return key if key.startswith("-----BEGIN RSA PRIVATE KEY-----") else key.encode("ascii")


private_key = config.require_secret("privateKey").apply(decode_key)
secgrp = aws.ec2.SecurityGroup("secgrp", description="Foo", ingress=[
    aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"]),
    aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])])
ami = aws.ec2.get_ami(owners=["amazon"], most_recent=True,
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*-x86_64-gp2"])])
if key_name is None:
    key = aws.ec2.KeyPair("key", public_key=public_key)
    key_name = key.key_name
server = aws.ec2.Instance("server", instance_type="t2.micro", ami=ami.id, key_name=key_name,
                          vpc_security_group_ids=[secgrp.id])
connection = command.remote.ConnectionArgs(host=server.public_ip, user="ec2-user", private_key=private_key)
cp_config = command.remote.CopyToRemote("config", connection=connection, source=pulumi.FileAsset("myapp.conf"),
    remote_path="myapp.conf", opts=pulumi.ResourceOptions(depends_on=[server]))
cat_config = command.remote.Command("cat-config", connection=connection, create="cat myapp.conf",
                                    opts=pulumi.ResourceOptions(depends_on=[cp_config]))
pulumi.export("publicIp", server.public_ip)
pulumi.export("catConfigStdout", cat_config.stdout)
""",
            types={
                "aws:ec2/instance:Instance": 1,
                "aws:ec2/keyPair:KeyPair": 1,
                "aws:ec2/securityGroup:SecurityGroup": 1,
                "command:remote:Command": 1,
                "command:remote:CopyToRemote": 1,
            },
        ),
    }
)

PROGRAMS["slackbot"] = PublicProgram(
    source="aws-py-slackbot/{__main__,iam}.py",
    name="slackbot",
    files={
        # A module of the program named like the SDK's (`import iam`, which itself imports `pulumi_aws.iam`).
        "iam.py": """
from pulumi_aws import iam

lambda_role = iam.Role("lambdaRole", assume_role_policy='''{"Version": "2012-10-17", "Statement": [{
    "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]}''')
iam.RolePolicy("lambdaRolePolicy", role=lambda_role.id, policy='''{"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "arn:aws:logs:*:*:*"}]}''')
""",
        "mention_processing_lambda.py": "def webhook_handler(event, context):\n    return {'statusCode': 200}\n",
    },
    main="""
import iam
import pulumi
import pulumi_aws as aws

config = pulumi.Config("mentionbot")
slack_token = config.get("slackToken")  # unset: None in the function's environment, as in the original
verification_token = config.get("verificationToken")
table = aws.dynamodb.Table("subscriptions", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
                           billing_mode="PAY_PER_REQUEST", hash_key="id")
aws.iam.RolePolicy("mentionbotDynamoAccessPolicy", role=iam.lambda_role.id, policy='''{"Version": "2012-10-17",
    "Statement": [{"Action": ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    "Effect": "Allow", "Sid": "dynamoAccess", "Resource": "*"}]}''')
fn = aws.lambda_.Function("mention-processing-lambda", role=iam.lambda_role.arn, runtime="python3.7",
    handler="mention_processing_lambda.webhook_handler", code=pulumi.AssetArchive({".": pulumi.FileArchive(".")}),
    environment={"variables": {"SLACK_TOKEN": slack_token, "SLACK_VERIFICATION_CODE": verification_token,
                               "SUBSCRIPTIONS_TABLE_NAME": table.name.apply(lambda name: name)}})
region = aws.config.region


def route(arn):
    return {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
        "uri": pulumi.Output.format("arn:aws:apigateway:{0}:lambda:path/2015-03-31/functions/{1}/invocations",
                                    region, arn),
        "passthroughBehavior": "when_no_match", "httpMethod": "POST", "type": "aws_proxy"}}}


api = aws.apigateway.RestApi("mentionbot", body=pulumi.Output.json_dumps({"swagger": "2.0",
    "info": {"title": "slackbot-webhooks", "version": "1.0"}, "paths": {"/{proxy+}": route(fn.arn)}}))
deployment = aws.apigateway.Deployment("api-deployment", rest_api=api.id)
stage = aws.apigateway.Stage("api-stage", rest_api=api.id, deployment=deployment.id, stage_name="slackbot-example")
aws.lambda_.Permission("api-lambda-permission", action="lambda:invokeFunction", function=fn.name,
    principal="apigateway.amazonaws.com", source_arn=stage.execution_arn.apply(lambda arn: arn + "*/*"))
pulumi.export("url", stage.invoke_url)
""",
    types={
        "aws:apigateway/deployment:Deployment": 1,
        "aws:apigateway/restApi:RestApi": 1,
        "aws:apigateway/stage:Stage": 1,
        "aws:dynamodb/table:Table": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 2,
        "aws:lambda/function:Function": 1,
        "aws:lambda/permission:Permission": 1,
    },
)

_LOGS_POLICY = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "arn:aws:logs:*:*:*"}]}"""
_LAMBDA_TRUST = """{"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole",
    "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]}"""

PROGRAMS["apigateway-routes-component"] = PublicProgram(
    source="aws-apigateway-py-routes/{__main__,lambdas,dns}.py",
    name="routes",
    files={
        "lambdas.py": f'''
import pulumi
import pulumi_aws as aws

lambda_role = aws.iam.Role("auth-lambda-role", assume_role_policy="""{_LAMBDA_TRUST}""")
aws.iam.RolePolicy("auth-lambda-role-policy", role=lambda_role.id, policy="""{_LOGS_POLICY}""")
auth_lambda = aws.lambda_.Function("auth-lambda", role=lambda_role.arn, runtime=aws.lambda_.Runtime.PYTHON3D8,
    code=pulumi.AssetArchive({{".": pulumi.FileArchive("./authorizer")}}), handler="handler.handler")
hello_handler = aws.lambda_.Function("hello-handler", role=lambda_role.arn, runtime=aws.lambda_.Runtime.PYTHON3D8,
    code=pulumi.AssetArchive({{".": pulumi.FileArchive("./handler")}}), handler="handler.handler")
''',
        "dns.py": """
import pulumi_aws as aws


def configure_dns(domain, zone_id):
    certificate = aws.acm.Certificate("ssl-cert", domain_name=domain, validation_method="DNS")
    return aws.apigateway.DomainName("api-domain-name", certificate_arn=certificate.arn, domain_name=domain)
""",
        "authorizer/handler.py": "def handler(event, context):\n    return {'principalId': 'user'}\n",
        "handler/handler.py": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hello'}\n",
        "www/index.html": "<h1>static</h1>\n",
    },
    main="""
import json
import pulumi
import pulumi_aws as aws
import pulumi_aws_apigateway as apigateway
import lambdas
from dns import configure_dns

user_pool = aws.cognito.UserPool("user-pool")
client = aws.cognito.UserPoolClient("user-pool-client", user_pool_id=user_pool.id,
                                    explicit_auth_flows=["ADMIN_NO_SRP_AUTH"])
integration = {"httpMethod": "GET", "passthroughBehavior": "when_no_match", "type": "http_proxy",
               "uri": "https://httpbin.org/uuid"}
# A multi-language component: routes hold whole Lambda functions (event_handler=...), the plugin builds the rest.
api = apigateway.RestAPI("api", routes=[
    apigateway.RouteArgs(path="static", local_path="www"),
    apigateway.RouteArgs(path="lambda", method="GET", event_handler=lambdas.hello_handler),
    apigateway.RouteArgs(path="proxy", target=apigateway.TargetArgs(uri="https://www.google.com", type="http_proxy")),
    apigateway.RouteArgs(path="swagger", method="GET", data={"x-amazon-apigateway-integration": integration}),
    apigateway.RouteArgs(path="cognito-authorized", method="GET", event_handler=lambdas.hello_handler,
        authorizers=[apigateway.AuthorizerArgs(parameter_name="Authorization",
            identity_source=["method.request.header.Authorization"], provider_arns=[user_pool.arn])]),
    apigateway.RouteArgs(path="lambda-authorized", method="GET", event_handler=lambdas.hello_handler,
        authorizers=[apigateway.AuthorizerArgs(auth_type="custom", parameter_name="Authorization", type="request",
            identity_source=["method.request.header.Authorization"], handler=lambdas.auth_lambda)]),
    apigateway.RouteArgs(path="key-authorized", method="GET", event_handler=lambdas.hello_handler,
                         api_key_required=True),
])
swagger_api = apigateway.RestAPI("swagger-api", swagger_string=json.dumps({"swagger": "2.0",
    "info": {"title": "example", "version": "1.0"},
    "paths": {"/": {"get": {"x-amazon-apigateway-integration": integration}}},
    "x-amazon-apigateway-binary-media-types": ["*/*"]}))
api_key = aws.apigateway.ApiKey("api-key")
# The component's outputs are resources (`api.api`, `api.stage`): their fields are unknown offline.
plan = aws.apigateway.UsagePlan("usage-plan",
    api_stages=[aws.apigateway.UsagePlanApiStageArgs(api_id=api.api.id, stage=api.stage.stage_name)])
aws.apigateway.UsagePlanKey("usage-plan-key", key_id=api_key.id, key_type="API_KEY", usage_plan_id=plan.id)
config = pulumi.Config()
domain = config.get("domain")
if domain is not None:
    zone = aws.route53.get_zone_output(name=config.require("dns-zone"))
    name = configure_dns(domain=domain, zone_id=zone.id)
    aws.apigateway.BasePathMapping("api-domain-mapping", rest_api=api.api.id, stage_name=api.stage.stage_name,
                                   domain_name=name.domain_name)
pulumi.export("url", api.url)
pulumi.export("swagger-url", swagger_api.url)
pulumi.export("api-key-value", api_key.value)
""",
    types={
        "aws-apigateway:index:RestAPI": 2,
        "aws:apigateway/apiKey:ApiKey": 1,
        "aws:apigateway/usagePlan:UsagePlan": 1,
        "aws:apigateway/usagePlanKey:UsagePlanKey": 1,
        "aws:cognito/userPool:UserPool": 1,
        "aws:cognito/userPoolClient:UserPoolClient": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 1,
        "aws:lambda/function:Function": 2,
    },
)

PROGRAMS["container-service"] = PublicProgram(
    repo=TEMPLATES,
    source="container-aws-python/__main__.py",
    name="container",
    files={"app/Dockerfile": "FROM nginx\n"},
    main="""
from pulumi import Config, Output, export
import pulumi_aws as aws
import pulumi_awsx as awsx

config = Config()
container_port = config.get_int("containerPort", 80)
cpu = config.get_int("cpu", 512)
memory = config.get_int("memory", 128)
cluster = aws.ecs.Cluster("cluster")
# Four multi-language components: load balancer, repository, image and service are all built by awsx's plugin.
loadbalancer = awsx.lb.ApplicationLoadBalancer("loadbalancer")
repo = awsx.ecr.Repository("repo", force_delete=True)
image = awsx.ecr.Image("image", repository_url=repo.url, context="./app", platform="linux/amd64")
service = awsx.ecs.FargateService("service", cluster=cluster.arn, assign_public_ip=True, task_definition_args={
    "container": {"name": "app", "image": image.image_uri, "cpu": cpu, "memory": memory, "essential": True,
                  "port_mappings": [{"container_port": container_port,
                                     "target_group": loadbalancer.default_target_group}]}})
export("url", Output.concat("http://", loadbalancer.load_balancer.dns_name))
""",
    types={
        "aws:ecs/cluster:Cluster": 1,
        "awsx:ecr:Image": 1,
        "awsx:ecr:Repository": 1,
        "awsx:ecs:FargateService": 1,
        "awsx:lb:ApplicationLoadBalancer": 1,
    },
)

_ECS_TRUST = """{"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole",
    "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]}"""

PROGRAMS["voting-app"] = PublicProgram(
    source="aws-py-voting-app/__main__.py",
    name="voting-app",
    config={"voting-app:redis-password": "not-a-real-password-1"},
    files={"frontend/Dockerfile": "FROM python:3.12-slim\n"},
    main=f'''
import base64
import json
import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

config = pulumi.Config()
redis_password = config.require("redis-password")
redis_port = 6379
cluster = aws.ecs.Cluster("app-cluster")
vpc = aws.ec2.Vpc("app-vpc", cidr_block="172.31.0.0/16", enable_dns_hostnames=True)
subnet = aws.ec2.Subnet("app-vpc-subnet", cidr_block="172.31.32.0/20", vpc_id=vpc.id)
gateway = aws.ec2.InternetGateway("app-gateway", vpc_id=vpc.id)
table = aws.ec2.RouteTable("app-routetable", vpc_id=vpc.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=gateway.id)])
aws.ec2.MainRouteTableAssociation("app_routetable_association", route_table_id=table.id, vpc_id=vpc.id)
group = aws.ec2.SecurityGroup("security-group", vpc_id=vpc.id, description="Enables HTTP access",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=0, to_port=65535, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
exec_role = aws.iam.Role("app-exec-role", assume_role_policy="""{_ECS_TRUST}""")
aws.iam.RolePolicyAttachment("app-exec-policy", role=exec_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
task_role = aws.iam.Role("app-task-role", assume_role_policy="""{_ECS_TRUST}""")
aws.iam.RolePolicyAttachment("app-access-policy", role=task_role.name,
                             policy_arn=aws.iam.ManagedPolicy.AMAZON_ECS_FULL_ACCESS)
repo = aws.ecr.Repository("app-ecr-repo", image_tag_mutability="MUTABLE")
aws.ecr.LifecyclePolicy("app-lifecycle-policy", repository=repo.name, policy=json.dumps({{"rules": [{{
    "rulePriority": 10, "description": "Remove untagged images", "action": {{"type": "expire"}},
    "selection": {{"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}}}}]}}))


def network_service(name, port, container):
    """One NLB, listener, target group, task definition and Fargate service per tier, as the original."""
    target = aws.lb.TargetGroup(f"{{name}}-targetgroup", port=port, protocol="TCP", target_type="ip", vpc_id=vpc.id)
    balancer = aws.lb.LoadBalancer(f"{{name}}-balancer", load_balancer_type="network", internal=False,
                                   security_groups=[], subnets=[subnet.id])
    listener = aws.lb.Listener(f"{{name}}-listener", load_balancer_arn=balancer.arn, port=port, protocol="TCP",
        default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target.arn)])
    task = aws.ecs.TaskDefinition(f"{{name}}-task-definition", family=f"{{name}}-task-definition-family", cpu="256",
        memory="512", network_mode="awsvpc", requires_compatibilities=["FARGATE"],
        execution_role_arn=exec_role.arn, task_role_arn=task_role.arn, container_definitions=container)
    aws.ecs.Service(f"{{name}}-service", cluster=cluster.arn, desired_count=1, launch_type="FARGATE",
        task_definition=task.arn, wait_for_steady_state=False,
        network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(assign_public_ip=True, subnets=[subnet.id],
                                                                      security_groups=[group.id]),
        load_balancers=[aws.ecs.ServiceLoadBalancerArgs(target_group_arn=target.arn,
                        container_name=f"{{name}}-container", container_port=port)],
        opts=pulumi.ResourceOptions(depends_on=[listener]))
    return balancer


redis = network_service("redis", redis_port, json.dumps([{{"name": "redis-container", "image": "redis:alpine",
    "memory": 512, "essential": True, "portMappings": [{{"containerPort": redis_port, "hostPort": redis_port,
    "protocol": "tcp"}}], "command": ["redis-server", "--requirepass", redis_password]}}]))
redis_endpoint = {{"host": redis.dns_name, "port": redis_port}}


def get_registry_info(rid):
    # The registry login is base64 of "user:password" (ECR GetAuthorizationToken), decoded at program time.
    creds = aws.ecr.get_credentials(registry_id=rid)
    parts = base64.b64decode(creds.authorization_token).decode().split(":")
    if len(parts) != 2:
        raise Exception("Invalid credentials")
    return docker_build.RegistryArgs(address=creds.proxy_endpoint, username=parts[0], password=parts[1])


image = docker_build.Image("flask-dockerimage",
    tags=[repo.repository_url.apply(lambda url: f"{{url}}:latest")],
    context=docker_build.BuildContextArgs(location="./frontend"), push=True,
    registries=[repo.registry_id.apply(get_registry_info)])
flask = network_service("flask", 80, pulumi.Output.json_dumps([{{"name": "flask-container", "image": image.ref,
    "memory": 512, "essential": True, "portMappings": [{{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}}],
    "environment": [{{"name": "REDIS", "value": redis_endpoint["host"]}},
                    {{"name": "REDIS_PORT", "value": pulumi.Output.concat(str(redis_endpoint["port"]))}},
                    {{"name": "REDIS_PWD", "value": redis_password}}]}}]))
pulumi.export("app-url", flask.dns_name)
''',
    types={
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": 1,
        "aws:ec2/routeTable:RouteTable": 1,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:ec2/subnet:Subnet": 1,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
        "aws:ecr/repository:Repository": 1,
        "aws:ecs/cluster:Cluster": 1,
        "aws:ecs/service:Service": 2,
        "aws:ecs/taskDefinition:TaskDefinition": 2,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,
        "aws:lb/listener:Listener": 2,
        "aws:lb/loadBalancer:LoadBalancer": 2,
        "aws:lb/targetGroup:TargetGroup": 2,
        "docker-build:index:Image": 1,
    },
)

PROGRAMS["ansible-wordpress"] = PublicProgram(
    source="aws-py-ansible-wordpress/__main__.py",
    name="wordpress",
    config={
        "wordpress:publicKeyPath": "keys/wordpress.pub",
        "wordpress:privateKeyPath": "keys/wordpress",
        "wordpress:dbPassword": {"secure": "AAABAPreflightCiphertext"},
    },
    files={
        "keys/wordpress.pub": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreflightPublicKeyOnly preflight\n",
        "keys/wordpress": "not a key: the program only reads the file and marks it secret\n",
        "playbook.yml": "- hosts: all\n",
    },
    main="""
import pulumi
import pulumi_aws as aws
import pulumi_command as command

config = pulumi.Config()
public_key_path = config.require("publicKeyPath")
private_key_path = config.require("privateKeyPath")
db_instance_size = config.get("dbInstanceSize") or "db.t3.small"
db_name = config.get("dbName") or "wordpressdb"
db_username = config.get("dbUsername") or "admin"
db_password = config.require_secret("dbPassword")
ec2_instance_size = config.get("ec2InstanceSize") or "t3.small"
zones = aws.get_availability_zones()
ami = aws.ec2.get_ami(owners=["amazon"], most_recent=True,
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*-x86_64-ebs"])])
public_key = open(public_key_path).read()
private_key = pulumi.Output.secret(open(private_key_path).read())  # read from a file, kept secret
vpc = aws.ec2.Vpc("prod-vpc", cidr_block="10.192.0.0/16", enable_dns_support=True, enable_dns_hostnames=True,
                  instance_tenancy="default")
public1 = aws.ec2.Subnet("prod-subnet-public-1", vpc_id=vpc.id, cidr_block="10.192.0.0/24",
                         map_public_ip_on_launch=True, availability_zone=zones.names[0])
private = [aws.ec2.Subnet(f"prod-subnet-private-{i}", vpc_id=vpc.id, cidr_block=f"10.192.{19 + i}.0/24",
                          map_public_ip_on_launch=False, availability_zone=zones.names[i]) for i in (1, 2)]
igw = aws.ec2.InternetGateway("prod-igw", vpc_id=vpc.id)
table = aws.ec2.RouteTable("prod-public-rt", vpc_id=vpc.id,
                           routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
aws.ec2.RouteTableAssociation("prod-rta-public-subnet-1", subnet_id=public1.id, route_table_id=table.id)
everywhere = [aws.ec2.SecurityGroupEgressArgs(from_port=0, to_port=0, protocol="-1", cidr_blocks=["0.0.0.0/0"])]
ec2_rule = aws.ec2.SecurityGroup("ec2-allow-rule", vpc_id=vpc.id, egress=everywhere,
    ingress=[aws.ec2.SecurityGroupIngressArgs(description=d, from_port=p, to_port=p, protocol="tcp",
             cidr_blocks=["0.0.0.0/0"]) for d, p in (("HTTPS", 443), ("HTTP", 80), ("SSH", 22))],
    tags={"Name": "allow ssh,http,https"})
rds_rule = aws.ec2.SecurityGroup("rds-allow-rule", vpc_id=vpc.id, egress=everywhere, tags={"Name": "allow ec2"},
    ingress=[aws.ec2.SecurityGroupIngressArgs(description="MySQL", from_port=3306, to_port=3306, protocol="tcp",
                                              security_groups=[ec2_rule.id])])
subnets = aws.rds.SubnetGroup("rds-subnet-grp", subnet_ids=[s.id for s in private])
db = aws.rds.Instance("wordpressdb", allocated_storage=10, engine="mysql", engine_version="5.7",
    instance_class=db_instance_size, db_subnet_group_name=subnets.id, vpc_security_group_ids=[rds_rule.id],
    db_name=db_name, username=db_username, password=db_password, skip_final_snapshot=True)
keypair = aws.ec2.KeyPair("wordpress-keypair", public_key=public_key)
instance = aws.ec2.Instance("wordpress-instance", ami=ami.id, instance_type=ec2_instance_size, subnet_id=public1.id,
    vpc_security_group_ids=[ec2_rule.id], key_name=keypair.id, tags={"Name": "Wordpress.web"},
    opts=pulumi.ResourceOptions(depends_on=[db]))
eip = aws.ec2.Eip("wordpress-eip", instance=instance.id)
render = command.local.Command("renderPlaybookCmd", create="cat playbook.yml | envsubst > playbook_rendered.yml",
    environment={"DB_RDS": db.endpoint, "DB_NAME": db_name, "DB_USERNAME": db_username, "DB_PASSWORD": db_password})
update = command.remote.Command("updatePythonCmd", create="(sudo yum update -y || true)",
    connection=command.remote.ConnectionArgs(host=eip.public_ip, port=22, user="ec2-user", private_key=private_key))
command.local.Command("playAnsiblePlaybookCmd",
    create=eip.public_ip.apply(lambda ip: f"ansible-playbook -u ec2-user -i '{ip},' --private-key "
                               f"{private_key_path} playbook_rendered.yml"),
    opts=pulumi.ResourceOptions(depends_on=[render, update]))
pulumi.export("url", eip.public_ip)
""",
    types={
        "aws:ec2/eip:Eip": 1,
        "aws:ec2/instance:Instance": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/keyPair:KeyPair": 1,
        "aws:ec2/routeTable:RouteTable": 1,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 1,
        "aws:ec2/securityGroup:SecurityGroup": 2,
        "aws:ec2/subnet:Subnet": 3,
        "aws:ec2/vpc:Vpc": 1,
        "aws:rds/instance:Instance": 1,
        "aws:rds/subnetGroup:SubnetGroup": 1,
        "command:local:Command": 2,
        "command:remote:Command": 1,
    },
)

PROGRAMS["hub-and-spoke"] = PublicProgram(
    source="aws-py-hub-and-spoke-network/{__main__,inspection,spoke,spoke_workload}.py",
    name="hub-and-spoke",
    files={
        "inspection.py": """
import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx


class InspectionVpcArgs:
    def __init__(self, supernet_cidr_block, vpc_cidr_block, tgw_id, inspection_tgw_route_table_id,
                 spoke_tgw_route_table_id):
        self.supernet_cidr_block = supernet_cidr_block
        self.vpc_cidr_block = vpc_cidr_block
        self.tgw_id = tgw_id
        self.inspection_tgw_route_table_id = inspection_tgw_route_table_id
        self.spoke_tgw_route_table_id = spoke_tgw_route_table_id


class InspectionVpc(pulumi.ComponentResource):
    def __init__(self, name, args, opts=None):
        super().__init__("awsAdvancedNetworking:index:InspectionVpc", name, None, opts)
        self.name, self.args = name, args
        # A multi-language component inside a local one: awsx's plugin would build its subnets and tables.
        self.vpc = awsx.ec2.Vpc(f"{name}-vpc", awsx.ec2.VpcArgs(cidr_block=args.vpc_cidr_block,
            subnet_specs=[awsx.ec2.SubnetSpecArgs(name="public", cidr_mask=28, type=awsx.ec2.SubnetType.PUBLIC),
                          awsx.ec2.SubnetSpecArgs(name="tgw", cidr_mask=28, type=awsx.ec2.SubnetType.ISOLATED)],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.NONE)),
            pulumi.ResourceOptions(parent=self))
        self.eip = aws.ec2.Eip(f"{name}-eip", opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vpc]))
        aws.ec2.NatGateway(f"{name}-nat-gateway", aws.ec2.NatGatewayArgs(subnet_id=self.vpc.public_subnet_ids[0],
            allocation_id=self.eip.allocation_id, tags={"Name": f"{name}-nat-gateway"}),
            pulumi.ResourceOptions(parent=self, depends_on=[self.vpc]))
        self.tgw_attachment = aws.ec2transitgateway.VpcAttachment(f"{name}-tgw-vpc-attachment",
            aws.ec2transitgateway.VpcAttachmentArgs(transit_gateway_id=args.tgw_id,
                subnet_ids=self.vpc.isolated_subnet_ids, vpc_id=self.vpc.vpc_id,
                transit_gateway_default_route_table_association=False,
                transit_gateway_default_route_table_propagation=False, appliance_mode_support="enable"),
            pulumi.ResourceOptions(delete_before_replace=True, depends_on=[self.vpc], parent=self))
        aws.ec2transitgateway.Route(f"{name}-spoke-to-inspection", aws.ec2transitgateway.RouteArgs(
            destination_cidr_block="0.0.0.0/0", transit_gateway_attachment_id=self.tgw_attachment.id,
            transit_gateway_route_table_id=args.spoke_tgw_route_table_id), opts=pulumi.ResourceOptions(parent=self))
        aws.ec2transitgateway.RouteTableAssociation(f"{name}-tgw-route-table-assoc",
            aws.ec2transitgateway.RouteTableAssociationArgs(transit_gateway_attachment_id=self.tgw_attachment.id,
                transit_gateway_route_table_id=args.inspection_tgw_route_table_id),
            pulumi.ResourceOptions(parent=self))
        # Lists of known length from an unknown output, so the preview matches `up` (as the original says).
        public = [self.vpc.public_subnet_ids.apply(lambda x, i=i: x[i]) for i in range(3)]
        isolated = [self.vpc.isolated_subnet_ids.apply(lambda x, i=i: x[i]) for i in range(3)]
        for kind, subnet_ids, target in (("public", public, "tgw"), ("isolated", isolated, "nat")):
            for i, subnet_id in enumerate(subnet_ids):
                table = aws.ec2.get_route_table_output(subnet_id=subnet_id)  # an invoke with an unknown input
                aws.ec2.Route(f"{name}-{kind}-route-{i}-to-{target}", aws.ec2.RouteArgs(route_table_id=table.id,
                    destination_cidr_block=args.supernet_cidr_block if target == "tgw" else "0.0.0.0/0",
                    transit_gateway_id=args.tgw_id if target == "tgw" else None),
                    pulumi.ResourceOptions(depends_on=[self.tgw_attachment], parent=self, delete_before_replace=True))
        self.register_outputs({"vpc": self.vpc, "eip": self.eip})
""",
        "spoke.py": """
import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx


class SpokeVpcArgs:
    def __init__(self, vpc_cidr_block, tgw_id, tgw_route_table_id):
        self.vpc_cidr_block = vpc_cidr_block
        self.tgw_id = tgw_id
        self.tgw_route_table_id = tgw_route_table_id


class SpokeVpc(pulumi.ComponentResource):
    def __init__(self, name, args, opts=None):
        super().__init__("awsAdvancedNetworking:index:SpokeVpc", name, None, opts)
        self.vpc = awsx.ec2.Vpc(f"{name}-vpc", awsx.ec2.VpcArgs(cidr_block=args.vpc_cidr_block,
            subnet_specs=[awsx.ec2.SubnetSpecArgs(name="private", cidr_mask=28, type=awsx.ec2.SubnetType.ISOLATED),
                          awsx.ec2.SubnetSpecArgs(name="tgw", cidr_mask=28, type=awsx.ec2.SubnetType.ISOLATED)],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.NONE),
            enable_dns_hostnames=True, enable_dns_support=True,
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO), pulumi.ResourceOptions(parent=self))
        tgw_subnets = [self.vpc.isolated_subnet_ids.apply(lambda x, i=i: x[i]) for i in (3, 4, 5)]
        self.tgw_attachment = aws.ec2transitgateway.VpcAttachment(f"{name}-tgw-vpc-attachment",
            aws.ec2transitgateway.VpcAttachmentArgs(transit_gateway_id=args.tgw_id, subnet_ids=tgw_subnets,
                vpc_id=self.vpc.vpc_id, transit_gateway_default_route_table_association=False,
                transit_gateway_default_route_table_propagation=False),
            pulumi.ResourceOptions(parent=self, depends_on=[self.vpc]))
        aws.ec2transitgateway.RouteTableAssociation(f"{name}-tgw-route-table-assoc",
            aws.ec2transitgateway.RouteTableAssociationArgs(transit_gateway_attachment_id=self.tgw_attachment.id,
                transit_gateway_route_table_id=args.tgw_route_table_id), pulumi.ResourceOptions(parent=self))
        aws.ec2transitgateway.RouteTablePropagation(f"{name}-tgw-route-table-propagation",
            aws.ec2transitgateway.RouteTablePropagationArgs(transit_gateway_attachment_id=self.tgw_attachment.id,
                transit_gateway_route_table_id=args.tgw_route_table_id), pulumi.ResourceOptions(parent=self))
        self.workload_subnet_ids = [self.vpc.isolated_subnet_ids.apply(lambda x, i=i: x[i]) for i in range(3)]
        group = aws.ec2.SecurityGroup(f"{name}-vpc-endpoint-sg", aws.ec2.SecurityGroupArgs(vpc_id=self.vpc.vpc_id,
            description="Allow TLS inbound traffic for SSM/EC2 endpoints",
            ingress=[aws.ec2.SecurityGroupIngressArgs(from_port=443, to_port=443, protocol="tcp",
                                                      cidr_blocks=[args.vpc_cidr_block])],
            egress=[aws.ec2.SecurityGroupEgressArgs(from_port=443, to_port=443, protocol="tcp",
                                                    cidr_blocks=[args.vpc_cidr_block])]),
            pulumi.ResourceOptions(parent=self))
        for service in ["ec2messages", "ssmmessages", "ssm"]:
            aws.ec2.VpcEndpoint(f"{name}-endpoint-{service}", aws.ec2.VpcEndpointArgs(vpc_id=self.vpc.vpc_id,
                service_name=f"com.amazonaws.{aws.config.region}.{service}", private_dns_enabled=True,
                security_group_ids=[group.id], subnet_ids=self.workload_subnet_ids, vpc_endpoint_type="Interface"),
                pulumi.ResourceOptions(depends_on=[self.vpc], parent=self))
        for i, subnet_id in enumerate(self.workload_subnet_ids):
            table = aws.ec2.get_route_table_output(subnet_id=subnet_id)
            aws.ec2.Route(f"{name}-route-{i}-to-tgw", aws.ec2.RouteArgs(route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0", transit_gateway_id=args.tgw_id),
                pulumi.ResourceOptions(depends_on=[self.tgw_attachment], parent=self))
        self.register_outputs({"vpc": self.vpc, "workload_subnet_ids": self.workload_subnet_ids})
""",
        "spoke_workload.py": """
import json
import pulumi
import pulumi_aws as aws


class SpokeWorkloadArgs:
    def __init__(self, spoke_instance_subnet_id, spoke_vpc_id):
        self.spoke_instance_subnet_id = spoke_instance_subnet_id
        self.spoke_vpc_id = spoke_vpc_id


class SpokeWorkload(pulumi.ComponentResource):
    def __init__(self, name, args, opts=None):
        super().__init__("awsAdvancedNetworking:index:SpokeWorkload", name, None, opts)
        group = aws.ec2.SecurityGroup(f"{name}-instance-sg", aws.ec2.SecurityGroupArgs(vpc_id=args.spoke_vpc_id,
            description="Allow all outbound traffic",
            egress=[aws.ec2.SecurityGroupEgressArgs(cidr_blocks=["0.0.0.0/0"], from_port=0, to_port=0,
                                                    protocol="-1")]), pulumi.ResourceOptions(parent=self))
        role = aws.iam.Role(f"{name}-instance-role", aws.iam.RoleArgs(assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Sid": "",
            "Principal": {"Service": "ec2.amazonaws.com"}}]})), pulumi.ResourceOptions(parent=self))
        aws.iam.RolePolicyAttachment(f"{name}-role-policy-attachment", aws.iam.RolePolicyAttachmentArgs(
            role=role.name, policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
            pulumi.ResourceOptions(parent=self))
        profile = aws.iam.InstanceProfile(f"{name}-instance-profile", aws.iam.InstanceProfileArgs(role=role.name),
                                          pulumi.ResourceOptions(parent=self))
        ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"], filters=[
            aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*-x86_64-gp2"]),
            aws.ec2.GetAmiFilterArgs(name="owner-alias", values=["amazon"])])
        aws.ec2.Instance(f"{name}-instance", aws.ec2.InstanceArgs(ami=ami.id, instance_type="t3.micro",
            vpc_security_group_ids=[group.id], subnet_id=args.spoke_instance_subnet_id,
            iam_instance_profile=profile.name, tags={"Name": f"{name}-instance"}),
            pulumi.ResourceOptions(parent=self))
        self.register_outputs({})
""",
    },
    main="""
import pulumi
import pulumi_aws as aws
from inspection import InspectionVpc, InspectionVpcArgs
from spoke import SpokeVpc, SpokeVpcArgs
from spoke_workload import SpokeWorkload, SpokeWorkloadArgs

project = pulumi.get_project()
config = pulumi.Config()
supernet_cidr = config.get("supernet-cidr") or "10.0.0.0/8"
tgw = aws.ec2transitgateway.TransitGateway("tgw", aws.ec2transitgateway.TransitGatewayArgs(
    description=f"Transit Gateway - {project}", default_route_table_association="disable",
    default_route_table_propagation="disable", tags={"Name": "Pulumi"}))
spoke_table = aws.ec2transitgateway.RouteTable("spoke-tgw-route-table", aws.ec2transitgateway.RouteTableArgs(
    transit_gateway_id=tgw.id, tags={"Name": "spoke-tgw"}), opts=pulumi.ResourceOptions(parent=tgw))
inspection_table = aws.ec2transitgateway.RouteTable("insp-tgw-route-table", aws.ec2transitgateway.RouteTableArgs(
    transit_gateway_id=tgw.id, tags={"Name": "insp-tgw-route-table"}), opts=pulumi.ResourceOptions(parent=tgw))
inspection = InspectionVpc("inspection", InspectionVpcArgs(supernet_cidr_block=supernet_cidr,
    vpc_cidr_block="10.129.0.0/24", tgw_id=tgw.id, inspection_tgw_route_table_id=inspection_table.id,
    spoke_tgw_route_table_id=spoke_table.id))
pulumi.export("nat-gateway-eip", inspection.eip.public_ip)
for index, cidr in ((1, "10.0.0.0/16"), (2, "10.1.0.0/16")):
    spoke = SpokeVpc(f"spoke{index}", SpokeVpcArgs(vpc_cidr_block=cidr, tgw_id=tgw.id,
                                                   tgw_route_table_id=spoke_table.id))
    aws.ec2transitgateway.RouteTablePropagation(f"insp-to-spoke{index}",
        aws.ec2transitgateway.RouteTablePropagationArgs(transit_gateway_attachment_id=spoke.tgw_attachment.id,
                                                        transit_gateway_route_table_id=inspection_table.id))
    SpokeWorkload(f"spoke{index}", SpokeWorkloadArgs(spoke_instance_subnet_id=spoke.workload_subnet_ids[0],
                                                     spoke_vpc_id=spoke.vpc.vpc_id))
""",
    types={
        "aws:ec2/eip:Eip": 1,
        "aws:ec2/instance:Instance": 2,
        "aws:ec2/natGateway:NatGateway": 1,
        "aws:ec2/route:Route": 12,
        "aws:ec2/securityGroup:SecurityGroup": 4,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 6,
        "aws:ec2transitgateway/route:Route": 1,
        "aws:ec2transitgateway/routeTable:RouteTable": 2,
        "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": 3,
        "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": 4,
        "aws:ec2transitgateway/transitGateway:TransitGateway": 1,
        "aws:ec2transitgateway/vpcAttachment:VpcAttachment": 3,
        "aws:iam/instanceProfile:InstanceProfile": 2,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,
        "awsAdvancedNetworking:index:InspectionVpc": 1,
        "awsAdvancedNetworking:index:SpokeVpc": 2,
        "awsAdvancedNetworking:index:SpokeWorkload": 2,
        "awsx:ec2:Vpc": 3,
    },
)

PROGRAMS["serverless-template"] = PublicProgram(
    repo=TEMPLATES,
    source="serverless-aws-python/__main__.py",
    name="serverless",
    files={
        "function/handler.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
        "www/index.html": "<h1>hello</h1>\n",
    },
    main="""
import json
import pulumi
import pulumi_aws as aws
import pulumi_aws_apigateway as apigateway

role = aws.iam.Role("role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}]}),
    managed_policy_arns=[aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE])
fn = aws.lambda_.Function("fn", runtime="python3.9", handler="handler.handler", role=role.arn,
                          code=pulumi.FileArchive("./function"))
# A whole function passed into a multi-language component (event_handler=fn).
api = apigateway.RestAPI("api", routes=[
    apigateway.RouteArgs(path="/", local_path="www"),
    apigateway.RouteArgs(path="/date", method=apigateway.Method.GET, event_handler=fn)])
pulumi.export("url", api.url)
""",
    types={"aws-apigateway:index:RestAPI": 1, "aws:iam/role:Role": 1, "aws:lambda/function:Function": 1},
)

PROGRAMS["langserve"] = PublicProgram(
    source="aws-py-langserve/__main__.py",
    name="langserve",
    files={"Dockerfile": "FROM python:3.11-slim\n"},
    main="""
import json
import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

config = pulumi.Config()
vpc_cidr = config.get("vpc-cidr") or "10.0.0.0/16"
open_api_key = config.get("open-api-key") or "CHANGEME"
region = aws.get_region()
zones = [f"{region.name}a", f"{region.name}b"]  # the deprecated `name` field, still returned
current = aws.get_caller_identity_output()
project, stack = pulumi.get_project(), pulumi.get_stack()
tags = {"Name": f"{project}-{stack}"}
repo = aws.ecr.Repository("langserve-ecr-repository", name=f"{project}-{stack}", force_delete=True)
token = aws.ecr.get_authorization_token_output(registry_id=repo.registry_id)
aws.ecr.LifecyclePolicy("langserve-ecr-life-cycle-policy", repository=repo.name, policy=json.dumps({"rules": [{
    "rulePriority": 1, "description": "Expire images when they are more than 10 available",
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
    "action": {"type": "expire"}}]}))
image = docker.Image("langserve-ecr-image", build=docker.DockerBuildArgs(platform="linux/amd64", context=".",
    dockerfile="./Dockerfile"), image_name=repo.repository_url, registry=docker.RegistryArgs(
    server=repo.repository_url, username=token.user_name, password=pulumi.Output.secret(token.password)))
vpc = aws.ec2.Vpc("langserve-vpc", cidr_block=vpc_cidr, enable_dns_hostnames=True, enable_dns_support=True,
                  instance_tenancy="default", tags=tags)
table = aws.ec2.RouteTable("langserve-rt", vpc_id=vpc.id, tags=tags)
igw = aws.ec2.InternetGateway("langserve-igw", vpc_id=vpc.id, tags=tags)
aws.ec2.Route("langserve-route", route_table_id=table.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
subnets = [aws.ec2.Subnet(f"langserve-subnet{i + 1}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24",
                          availability_zone=zones[i], map_public_ip_on_launch=True) for i in range(2)]
for i, subnet in enumerate(subnets):
    aws.ec2.RouteTableAssociation(f"langserve-subnet{i + 1}-rt-assoc", subnet_id=subnet.id, route_table_id=table.id)
cluster = aws.ecs.Cluster("langserve-ecs-cluster", configuration=aws.ecs.ClusterConfigurationArgs(
    execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(logging="DEFAULT")),
    settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="disabled")], tags=tags)
aws.ecs.ClusterCapacityProviders("langserve-cluster-capacity-providers", cluster_name=cluster.name,
                                 capacity_providers=["FARGATE", "FARGATE_SPOT"])
everywhere = [aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])]
web = aws.ec2.SecurityGroup("langserve-security-group", vpc_id=vpc.id, egress=everywhere,
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])])
balancer = aws.lb.LoadBalancer("langserve-load-balancer", load_balancer_type="application",
                               security_groups=[web.id], subnets=[s.id for s in subnets])
target = aws.lb.TargetGroup("langserve-target-group", port=80, protocol="HTTP", target_type="ip", vpc_id=vpc.id)
aws.lb.Listener("langserve-listener", load_balancer_arn=balancer.arn, port=80, protocol="HTTP",
                default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target.arn)])
logs = aws.cloudwatch.LogGroup("langserve-log-group", retention_in_days=7)
owner = {"pulumi-application": project, "pulumi-environment": stack}
key = aws.kms.Key("langserve-key", description="Key for encrypting secrets", enable_key_rotation=True, tags=owner,
    policy=current.account_id.apply(lambda account: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Resource": "*",
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion", "kms:Tag*", "kms:UntagResource"]},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Resource": "*",
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]}]})))
parameter = aws.ssm.Parameter("langserve-ssm-parameter", type="SecureString", value=open_api_key,
    key_id=key.key_id, name=f"/pulumi/{project}/{stack}/OPENAI_API_KEY", tags=owner)
trust = json.dumps({"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                   "Principal": {"Service": "ecs-tasks.amazonaws.com"}}], "Version": "2012-10-17"})
execution = aws.iam.Role("langserve-execution-role", assume_role_policy=trust,
    inline_policies=[aws.iam.RoleInlinePolicyArgs(name=f"{project}-{stack}-service-secrets-policy",
        policy=pulumi.Output.all(parameter.arn, key.arn).apply(lambda a: json.dumps({"Version": "2012-10-17",
            "Statement": [{"Action": ["ssm:GetParameters"], "Effect": "Allow", "Resource": [a[0]],
                           "Condition": {"StringEquals": {"ssm:ResourceTag/pulumi-application": project}}},
                          {"Action": ["kms:Decrypt"], "Effect": "Allow", "Resource": [a[1]],
                           "Sid": "DecryptTaggedKMSKey"}]})))],
    managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"])
task_role = aws.iam.Role("langserve-task-role", assume_role_policy=trust, inline_policies=[
    aws.iam.RoleInlinePolicyArgs(name="ExecuteCommand", policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Action": ["ssmmessages:CreateControlChannel", "ssmmessages:OpenControlChannel",
                    "ssmmessages:CreateDataChannel", "ssmmessages:OpenDataChannel"],
         "Effect": "Allow", "Resource": "*"},
        {"Action": ["logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents"],
         "Effect": "Allow", "Resource": "*"}]})),
    aws.iam.RoleInlinePolicyArgs(name="DenyIAM", policy=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Action": "iam:*", "Effect": "Deny", "Resource": "*"}]}))])
task = aws.ecs.TaskDefinition("langserve-task-definition", family=f"{project}-{stack}", cpu="256", memory="512",
    network_mode="awsvpc", execution_role_arn=execution.arn, task_role_arn=task_role.arn,
    requires_compatibilities=["FARGATE"],
    container_definitions=pulumi.Output.all(image.repo_digest, parameter.name, logs.name).apply(
        lambda a: json.dumps([{"name": f"{project}-{stack}-service", "image": a[0], "cpu": 0, "essential": True,
            "portMappings": [{"name": "target", "containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            "secrets": [{"name": "OPENAI_API_KEY", "valueFrom": a[1]}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": a[2],
                "awslogs-region": region.name, "awslogs-stream-prefix": "pulumi-langserve"}}}])))
service_group = aws.ec2.SecurityGroup("langserve-ecs-security-group", vpc_id=vpc.id, egress=everywhere,
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
namespace = aws.servicediscovery.PrivateDnsNamespace("langserve-service-discovery-namespace",
                                                     name=f"{stack}.{project}.local", vpc=vpc.id)
aws.ecs.Service("langserve-service", cluster=cluster.arn, task_definition=task.arn, desired_count=1,
    launch_type="FARGATE", scheduling_strategy="REPLICA", tags=tags,
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(assign_public_ip=True,
        security_groups=[service_group.id], subnets=[s.id for s in subnets]),
    load_balancers=[aws.ecs.ServiceLoadBalancerArgs(target_group_arn=target.arn,
        container_name=f"{project}-{stack}-service", container_port=8080)],
    service_connect_configuration=aws.ecs.ServiceServiceConnectConfigurationArgs(enabled=True,
                                                                                 namespace=namespace.arn))
pulumi.export("url", balancer.dns_name.apply(lambda dns_name: f"http://{dns_name}"))
""",
    types={
        "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/route:Route": 1,
        "aws:ec2/routeTable:RouteTable": 1,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
        "aws:ec2/securityGroup:SecurityGroup": 2,
        "aws:ec2/subnet:Subnet": 2,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
        "aws:ecr/repository:Repository": 1,
        "aws:ecs/cluster:Cluster": 1,
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": 1,
        "aws:ecs/service:Service": 1,
        "aws:ecs/taskDefinition:TaskDefinition": 1,
        "aws:iam/role:Role": 2,
        "aws:kms/key:Key": 1,
        "aws:lb/listener:Listener": 1,
        "aws:lb/loadBalancer:LoadBalancer": 1,
        "aws:lb/targetGroup:TargetGroup": 1,
        "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": 1,
        "aws:ssm/parameter:Parameter": 1,
        "docker:index/image:Image": 1,
    },
)

# Fourth round (serverless and data services, issue 11): repositories other than pulumi/examples, each at the
# commit given; what a rewrite leaves out of its original is said where it is left out.
WORKSHOPS = "pulumi/workshops@ef26558b87e343d0dd3c18c65698a979609635ba"
JAXXSTORM = "jaxxstorm/pulumi-examples@400071f0af67d6e0be89aee69769502937f83824"
REKOGNITION = "mohdizzy/pulumi-python-lambda@69fdef38f5e1f3549a10ff72fe2b0dfdf3ed43df"
LEARN = "sebastianczech/learn-pulumi-aws-python@54fba695f0229b4b2e8a79fce7ad7f22df1e0ae4"
TRACKING = "nuage-studio/pulumi-aws-tracking-pipeline@aae9742994c285870cb4aaebffdfbaa3a1a57d46"
OPTIONS = "omdv/options-advisor@41fdec3527b0ff30098d80d736b1ffdf8f1c125e"

PROGRAMS["language-tutor"] = PublicProgram(
    repo=WORKSHOPS,
    source="aws-getting-started-py/solution/__main__.py",
    name="language-tutor-agent",
    config={
        "language-tutor-agent:lambdaMemory": "1024",
        "language-tutor-agent:lambdaTimeout": "300",
        "language-tutor-agent:logRetentionDays": "14",
    },
    main="""
import hashlib
import json
import os
import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

config = pulumi.Config()
region = pulumi.Config("aws").require("region")
memory = config.get_int("lambdaMemory") or 1024
timeout = config.get_int("lambdaTimeout") or 300
retention = config.get_int("logRetentionDays") or 14

stories = aws.s3.Bucket("story-output-bucket", bucket="language-tutor-stories", force_destroy=True)
topic = aws.sns.Topic("results-topic", name="language-tutor-results")
# The image is built by awsx's plugin from the folder above the program (a remote component).
repository = awsx.ecr.Repository("language-tutor-repo", force_delete=True)
above = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
image = awsx.ecr.Image("language-tutor-image", repository_url=repository.url, context=above,
                       dockerfile=os.path.join(above, "solution/app/Dockerfile"), platform="linux/arm64")

def lambda_role(name, role_name):
    return aws.iam.Role(name, name=role_name, assume_role_policy=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                       "Principal": {"Service": "lambda.amazonaws.com"}}]}))

agent_role = lambda_role("lambda-role", "language-tutor-lambda-role")
basic = aws.iam.RolePolicyAttachment("lambda-basic-execution", role=agent_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
sqs_execution = aws.iam.RolePolicyAttachment("lambda-sqs-execution", role=agent_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
bedrock = aws.iam.RolePolicy("bedrock-policy", role=agent_role.name, policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                   "Resource": "*"}]}))
publish = aws.iam.RolePolicy("sns-publish-policy", role=agent_role.name, policy=topic.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": arn}]})))
writer_role = lambda_role("s3-writer-role", "language-tutor-s3-writer-role")
writer_basic = aws.iam.RolePolicyAttachment("s3-writer-basic-execution", role=writer_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
write = aws.iam.RolePolicy("s3-write-policy", role=writer_role.name, policy=stories.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["s3:PutObject", "s3:PutObjectAcl"], "Resource": f"{arn}/*"}]})))
agent_logs = aws.cloudwatch.LogGroup("lambda-logs", name="/aws/lambda/language-tutor-agent",
                                     retention_in_days=retention)
writer_logs = aws.cloudwatch.LogGroup("s3-writer-logs", name="/aws/lambda/language-tutor-s3-writer",
                                      retention_in_days=retention)
dlq = aws.sqs.Queue("language-tutor-dlq", name="language-tutor-dlq", message_retention_seconds=1209600)
queue = aws.sqs.Queue("language-tutor-queue", name="language-tutor-queue", visibility_timeout_seconds=timeout + 60,
    message_retention_seconds=86400,
    redrive_policy=dlq.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})))
agent = aws.lambda_.Function("language-tutor-lambda", name="language-tutor-agent", package_type="Image",
    image_uri=image.image_uri, role=agent_role.arn, memory_size=memory, timeout=timeout, architectures=["arm64"],
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={
        "BEDROCK_MODEL_ID": "us.anthropic.claude-opus-4-5-20251101-v1:0", "SNS_TOPIC_ARN": topic.arn}),
    opts=pulumi.ResourceOptions(depends_on=[basic, sqs_execution, bedrock, publish, agent_logs]))
# The writer's code is a string in the program, archived as index.py.
writer_code = "import boto3\\n\\ndef lambda_handler(event, context):\\n    return {'statusCode': 200}\\n"
digest = hashlib.md5(writer_code.encode()).hexdigest()
writer = aws.lambda_.Function("s3-writer-lambda", name="language-tutor-s3-writer", runtime="python3.12",
    handler="index.lambda_handler", role=writer_role.arn, timeout=30, memory_size=256, architectures=["arm64"],
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(writer_code)}),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"BUCKET_NAME": stories.bucket}),
    opts=pulumi.ResourceOptions(depends_on=[writer_basic, write, writer_logs]))
allow_sns = aws.lambda_.Permission("sns-lambda-permission", action="lambda:InvokeFunction", function=writer.name,
                                   principal="sns.amazonaws.com", source_arn=topic.arn)
aws.sns.TopicSubscription("s3-writer-subscription", topic=topic.arn, protocol="lambda", endpoint=writer.arn,
                          opts=pulumi.ResourceOptions(depends_on=[allow_sns]))
aws.lambda_.EventSourceMapping("sqs-trigger", event_source_arn=queue.arn, function_name=agent.name, batch_size=1,
                               enabled=True)
pulumi.export("repository_url", repository.url)
pulumi.export("image_uri", image.image_uri)
pulumi.export("queue_url", queue.url)
pulumi.export("dlq_url", dlq.url)
pulumi.export("lambda_arn", agent.arn)
pulumi.export("sns_topic_arn", topic.arn)
pulumi.export("story_bucket_name", stories.bucket)
""",
    types={
        "aws:cloudwatch/logGroup:LogGroup": 2,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicy:RolePolicy": 3,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
        "aws:lambda/eventSourceMapping:EventSourceMapping": 1,
        "aws:lambda/function:Function": 2,
        "aws:lambda/permission:Permission": 1,
        "aws:s3/bucket:Bucket": 1,
        "aws:sns/topic:Topic": 1,
        "aws:sns/topicSubscription:TopicSubscription": 1,
        "aws:sqs/queue:Queue": 2,
        "awsx:ecr:Image": 1,
        "awsx:ecr:Repository": 1,
    },
)

PROGRAMS["intro-http-api"] = PublicProgram(
    repo=WORKSHOPS,
    source="aws-intro-python/__main__.py",
    name="aws-intro-python",
    files={"text.txt": "textfile!\n", "Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\n"},
    main="""
import json
import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

bucket = aws.s3.BucketV2("my-bucket")
with open("text.txt", "r") as f:
    text = f.read()
aws.s3.BucketObject("my-text-file", bucket=bucket.id, content=text)
repository = aws.ecr.Repository("app-server-repo", force_delete=True,
    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True))
image = awsx.ecr.Image("app-server-image", repository_url=repository.repository_url, context=".",
                       dockerfile="Dockerfile", platform="linux/amd64")
role = aws.iam.Role("lambda-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]}))
aws.iam.RolePolicyAttachment("lambda-role-policy", role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
fn = aws.lambda_.Function("custom-lambda", name="custom-lambda", package_type="Image", image_uri=image.image_uri,
    role=role.arn, timeout=30, memory_size=512, architectures=["x86_64"],
    environment={"variables": {"FLASK_ENV": "production"}})
api = aws.apigatewayv2.Api("custom-api", name="CustomAPI", protocol_type="HTTP",
                           route_selection_expression="$request.method $request.path")
integration = aws.apigatewayv2.Integration("api-lambda-integration", api_id=api.id, integration_type="AWS_PROXY",
    integration_uri=fn.arn, integration_method="POST", payload_format_version="1.0")
aws.apigatewayv2.Route("catch-all-route", api_id=api.id, route_key="ANY /{proxy+}",
                       target=integration.id.apply(lambda id: f"integrations/{id}"))
aws.apigatewayv2.Stage("api-stage", api_id=api.id, name="$default", auto_deploy=True)
aws.lambda_.Permission("lambda-permission", action="lambda:InvokeFunction", function=fn.name,
    principal="apigateway.amazonaws.com", source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"))
pulumi.export("bucket_name", bucket.id)
pulumi.export("ecr", repository.repository_url)
pulumi.export("api_url", api.api_endpoint)
""",
    types={
        "aws:apigatewayv2/api:Api": 1,
        "aws:apigatewayv2/integration:Integration": 1,
        "aws:apigatewayv2/route:Route": 1,
        "aws:apigatewayv2/stage:Stage": 1,
        "aws:ecr/repository:Repository": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:lambda/function:Function": 1,
        "aws:lambda/permission:Permission": 1,
        "aws:s3/bucketObject:BucketObject": 1,
        "aws:s3/bucketV2:BucketV2": 1,
        "awsx:ecr:Image": 1,
    },
)

PROGRAMS["s3-cloudfront-oai"] = PublicProgram(
    repo=JAXXSTORM,
    source="python/aws/s3_bucket_cloudfront/__main__.py",
    name="s3_bucket_cloudfront",
    files={"www/index.html": "<h1>hello</h1>\n"},
    main="""
import json
import mimetypes
import os
import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("cloudfront", acl="private",
    website=aws.s3.BucketWebsiteArgs(index_document="index.html", error_document="404.html"))
for name in os.listdir("www"):
    path = os.path.join("www", name)
    aws.s3.BucketObject(name, bucket=bucket.id, source=pulumi.FileAsset(path),
                        content_type=mimetypes.guess_type(path)[0], opts=pulumi.ResourceOptions(parent=bucket))
oai = aws.cloudfront.OriginAccessIdentity("cloudfront", comment=pulumi.Output.concat("OAI-", bucket.id))
aws.s3.BucketPolicy("cloudfrontAccess", bucket=bucket.bucket, opts=pulumi.ResourceOptions(parent=bucket),
    policy=pulumi.Output.all(reader=oai.iam_arn, arn=bucket.arn).apply(lambda a: json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": "CloudfrontAllow", "Effect": "Allow",
            "Principal": {"AWS": a["reader"]}, "Action": "s3:GetObject", "Resource": f"{a['arn']}/*"}]})))
# Plain dicts with the engine's camelCase keys, as the original writes them.
distribution = aws.cloudfront.Distribution("cloudfront_example", enabled=True, is_ipv6_enabled=True,
    default_root_object="index.html",
    origins=[aws.cloudfront.DistributionOriginArgs(domain_name=bucket.bucket_regional_domain_name,
        origin_id="cloudfrontExample", s3_origin_config=aws.cloudfront.DistributionOriginS3OriginConfigArgs(
            origin_access_identity=oai.cloudfront_access_identity_path))],
    default_cache_behavior={"allowedMethods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
        "cachedMethods": ["GET", "HEAD"], "targetOriginId": "cloudfrontExample",
        "forwardedValues": {"queryString": False, "cookies": {"forward": "none"}},
        "viewerProtocolPolicy": "allow-all", "minTtl": 0, "defaultTtl": 3600, "maxTtl": 86400},
    restrictions={"geoRestriction": {"restrictionType": "whitelist", "locations": ["US", "CA", "GB", "DE"]}},
    viewer_certificate={"cloudfrontDefaultCertificate": True})
pulumi.export("bucket_address", bucket.bucket_domain_name)
pulumi.export("address", distribution.domain_name)
""",
    types={
        "aws:cloudfront/distribution:Distribution": 1,
        "aws:cloudfront/originAccessIdentity:OriginAccessIdentity": 1,
        "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketObject:BucketObject": 1,
        "aws:s3/bucketPolicy:BucketPolicy": 1,
    },
)

PROGRAMS["s3-rekognition"] = PublicProgram(
    repo=REKOGNITION,
    source="__main__.py",
    name="pulumi_rekognition",
    files={"lambda_rekognition/celeb_rekognition.py": "def lambda_handler(event, context):\n    return {}\n"},
    main='''
import pulumi
from pulumi_aws import dynamodb, iam, lambda_, s3

images = s3.Bucket("celeb-imgIdentify-bucket")
table = dynamodb.Table(name="rekognition_entries", resource_name="rekognition_entries",
                       attributes=[{"name": "Id", "type": "S"}], billing_mode="PAY_PER_REQUEST", hash_key="Id")
role = iam.Role(resource_name="lambda-ffmpeg-iam-role", assume_role_policy="""{"Version": "2012-10-17",
    "Statement": [{"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Effect": "Allow", "Sid": ""}]}""")
iam.RolePolicy(resource_name="lambda-ffmpeg-iam-policy", role=role.id, policy="""{"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Resource": "*", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
        "logs:PutLogEvents", "s3:*", "dynamodb:PutItem", "rekognition:*"]}]}""")
fn = lambda_.Function(resource_name="celebrity_rekog", role=role.arn, runtime="python3.6",
    handler="celeb_rekognition.lambda_handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./lambda_rekognition")}),
    timeout=15, memory_size=128, environment={"variables": {"DYNAMODB_TABLE": "rekognition_entries"}})
lambda_.Permission(resource_name="lambda_img_event", action="lambda:InvokeFunction", principal="s3.amazonaws.com",
                   source_arn=images.arn, function=fn.arn)
# One snake_case key and one camelCase key in the same plain dict, as the original has them.
s3.BucketNotification(resource_name="s3_notification", bucket=images.id, lambda_functions=[{
    "lambda_function_arn": fn.arn, "events": ["s3:ObjectCreated:*"], "filterSuffix": ".jpg"}])
pulumi.export("bucket", images.id)
pulumi.export("lambda function", fn.arn)
pulumi.export("dynamo table", table.arn)
''',
    types={
        "aws:dynamodb/table:Table": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 1,
        "aws:lambda/function:Function": 1,
        "aws:lambda/permission:Permission": 1,
        "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketNotification:BucketNotification": 1,
    },
)

PROGRAMS["sqs-sns-function-url"] = PublicProgram(
    repo=LEARN,
    source="iac/{__main__,infra_database,infra_integration,infra_compute_producer,infra_compute_consumer}.py",
    name="learn-pulumi-aws-python",
    files={
        "files/producer.tmpl": "QUEUE = '${queue_url}'\n\ndef lambda_handler(event, context):\n    return {}\n",
        "files/consumer.tmpl": "TOPIC = '${topic_url}'\nTABLE = '${table_url}'\n\n"
        "def lambda_handler(event, context):\n    return {}\n",
        "infra_database.py": """
from pulumi_aws import dynamodb

table = dynamodb.Table("pulumi_dynamodb_serverless_rest_api",
    attributes=[dynamodb.TableAttributeArgs(name="ID", type="S")],
    hash_key="ID", read_capacity=1, write_capacity=1,
    tags={"Environment": "development", "Name": "pulumi_dynamodb_serverless_rest_api"})
""",
        "infra_integration.py": """
from pulumi_aws import sns, sqs

queue = sqs.Queue("pulumi_sqs_serverless_rest_api", fifo_queue=False,
                  tags={"Environment": "development", "Name": "pulumi_sqs_serverless_rest_api"})
topic = sns.Topic("pulumi_sns_serverless_rest_api",
                  tags={"Environment": "development", "Name": "pulumi_sns_serverless_rest_api"})
email = sns.TopicSubscription("pulumi_sns_topic_email_subscription", topic=topic.arn, protocol="email",
                              endpoint="someone@example.com")
""",
        "render.py": """
import json
from string import Template
from zipfile import ZipFile

from pulumi_aws import iam

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole",
    "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow", "Sid": ""}]})
LOGS = json.dumps({"Version": "2012-10-17", "Statement": [{"Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
    "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:*", "Effect": "Allow"}]})

def render(name, **values):
    # The original renders a Jinja2 template at program time in each module, writes the code and zips it beside
    # the template; here one helper does it with string.Template (Jinja2 is not a dependency of this repo).
    with open(f"files/{name}.tmpl", encoding="utf-8") as source:
        code = Template(source.read()).substitute(**values)
    with open(f"files/{name}.py", "w", encoding="utf-8") as rendered:
        rendered.write(code)
    with ZipFile(f"files/{name}.zip", "w") as archive:
        archive.write(filename=f"files/{name}.py", arcname=f"{name}.py")
    return f"files/{name}.zip"

def policy(name, description, sid, actions, arn):
    return iam.Policy(name, path="/", description=description, policy=arn.apply(lambda x: json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": sid, "Action": actions, "Effect": "Allow", "Resource": x}]})))
""",
        "infra_compute_producer.py": """
import pulumi
from pulumi_aws import iam, lambda_, sqs

from infra_integration import queue
from render import LAMBDA_TRUST, LOGS, policy, render

archive = render("producer", queue_url=sqs.get_queue(name=queue.name).id)
send = policy("pulumi_lambda_producer_sqs_send_iam_policy", "IAM policy for Lambda producer & SQS",
              "ProducerStatement", ["sqs:SendMessage"], queue.arn)
logs = iam.Policy("pulumi_lambda_iam_producer_logging", path="/", policy=LOGS,
                  description="IAM policy for Lambda producer & CloudWatch logs")
role = iam.Role("pulumi_lambda_producer_role", assume_role_policy=LAMBDA_TRUST)
iam.RolePolicyAttachment("pulumi_lambda_producer_sqs", role=role.name, policy_arn=send.arn)
iam.RolePolicyAttachment("pulumi_lambda_producer_logs", role=role.name, policy_arn=logs.arn)
producer = lambda_.Function("pulumi_lambda_producer", code=pulumi.FileArchive(archive), role=role.arn,
    handler="producer.lambda_handler", runtime="python3.9",
    environment=lambda_.FunctionEnvironmentArgs(variables={"foo": "bar"}))
lambda_.FunctionUrl("pulumi_lambda_producer_endpoint", function_name=producer.name, authorization_type="AWS_IAM",
    cors=lambda_.FunctionUrlCorsArgs(allow_credentials=True, allow_origins=["*"], allow_methods=["*"],
        allow_headers=["date", "keep-alive"], expose_headers=["keep-alive", "date"], max_age=86400))
user = iam.get_user(user_name="seba")
lambda_.Permission("AllowExecutionForIamUser", action="lambda:InvokeFunctionUrl", function=producer.name,
                   principal=user.arn, function_url_auth_type="AWS_IAM")
""",
        "infra_compute_consumer.py": """
import pulumi
from pulumi_aws import cloudwatch, dynamodb, iam, lambda_, sns

from infra_database import table
from infra_integration import queue, topic
from render import LAMBDA_TRUST, LOGS, policy, render

archive = render("consumer", topic_url=sns.get_topic(name=topic.name).id,
                 table_url=dynamodb.get_table(name=table.name).id)
receive = policy("pulumi_lambda_consumer_sqs_receive_iam_policy", "IAM policy for Lambda consumer & SQS",
                 "ConsumerStatementSqs", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                 queue.arn)
publish = policy("pulumi_lambda_consumer_sns_publish_iam_policy", "IAM policy for Lambda consumer & SNS",
                 "ConsumerStatementSns", ["sns:Publish"], topic.arn)
put = policy("pulumi_lambda_consumer_dynamo_put_iam_policy", "IAM policy for Lambda consumer & DynamoDB",
             "ConsumerStatementDynamoDb", ["dynamodb:PutItem"], table.arn)
logs = iam.Policy("pulumi_lambda_iam_consumer_logging", path="/", policy=LOGS,
                  description="IAM policy for Lambda consumer & CloudWatch logs")
role = iam.Role("pulumi_lambda_consumer_role", assume_role_policy=LAMBDA_TRUST)
for name, granted in [("sqs", receive), ("sns", publish), ("dynamodb", put), ("logs", logs)]:
    iam.RolePolicyAttachment(f"pulumi_lambda_consumer_{name}", role=role.name, policy_arn=granted.arn)
consumer = lambda_.Function("pulumi_lambda_consumer", code=pulumi.FileArchive(archive), role=role.arn,
    handler="consumer.lambda_handler", runtime="python3.9",
    environment=lambda_.FunctionEnvironmentArgs(variables={"foo": "bar"}))
for name in ["producer", "consumer"]:
    cloudwatch.LogGroup(f"/aws/lambda/pulumi_lambda_{name}_log_group", retention_in_days=1,
                        tags={"Environment": "development", "Name": f"pulumi_lambda_{name}_log_group"})
lambda_.EventSourceMapping("pulumi_event_source_mapping_sqs_lambda_consumer", event_source_arn=queue.arn,
                           function_name=consumer.arn)
""",
    },
    main="""
import pulumi

import infra_compute_consumer
import infra_compute_producer
import infra_database
import infra_integration

pulumi.export("pulumi_sqs_serverless_rest_api", infra_integration.queue.arn)
pulumi.export("pulumi_sns_serverless_rest_api", infra_integration.topic.arn)
pulumi.export("pulumi_sns_topic_email_subscription", infra_integration.email.arn)
pulumi.export("pulumi_dynamodb_serverless_rest_api", infra_database.table.arn)
pulumi.export("pulumi_lambda_producer", infra_compute_producer.producer.arn)
pulumi.export("pulumi_lambda_consumer", infra_compute_consumer.consumer.arn)
""",
    types={
        "aws:cloudwatch/logGroup:LogGroup": 2,
        "aws:dynamodb/table:Table": 1,
        "aws:iam/policy:Policy": 6,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 6,
        "aws:lambda/eventSourceMapping:EventSourceMapping": 1,
        "aws:lambda/function:Function": 2,
        "aws:lambda/functionUrl:FunctionUrl": 1,
        "aws:lambda/permission:Permission": 1,
        "aws:sns/topic:Topic": 1,
        "aws:sns/topicSubscription:TopicSubscription": 1,
        "aws:sqs/queue:Queue": 1,
    },
)


PROGRAMS["tracking-pipeline"] = PublicProgram(
    repo=TRACKING,
    source="{__main__,analytics,delay_resource,firehose_policy,identity_pool_policy,pinpoint_policy}.py",
    name="pulumi-aws-tracking-pipeline",
    config={"aws:region": "eu-west-1"},
    files={
        "delay_resource.py": """
import time

from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class DelayProvider(ResourceProvider):
    def __init__(self, name):
        self.name = name

    def create(self, inputs):
        time.sleep(inputs["delay_time"])
        return CreateResult(self.name, inputs)


class Delay(Resource):
    # A dynamic resource whose only job is to wait for an IAM policy to propagate.
    def __init__(self, name, delay_time, opts=None):
        super().__init__(DelayProvider(name), name, {"delay_time": delay_time}, opts)
""",
        "firehose_policy.py": """
import pulumi


def firehose_trust(account):
    # A dict, not JSON text: the Role takes either.
    return {"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow",
        "Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": f"{account}"}}}]}


def firehose_access(region, account, bucket_arn, stream_name):
    return pulumi.Output.all(bucket_arn, stream_name).apply(lambda o: {"Version": "2012-10-17", "Statement": [
        {"Sid": "", "Effect": "Allow", "Resource": "*",
         "Action": ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]},
        {"Sid": "", "Effect": "Allow", "Resource": [o[0], f"{o[0]}/*"],
         "Action": ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
                    "s3:ListBucketMultipartUploads", "s3:PutObject"]},
        {"Sid": "", "Effect": "Allow", "Action": ["logs:PutLogEvents"],
         "Resource": [f"arn:aws:logs:{region}:{account}:log-group:/aws/kinesisfirehose/{o[1]}:log-stream:*"]},
        {"Sid": "", "Effect": "Allow", "Action": ["kinesis:DescribeStream", "kinesis:GetShardIterator",
         "kinesis:GetRecords"], "Resource": f"arn:aws:kinesis:{region}:{account}:stream/{o[1]}"}]})


""",
        "pinpoint_policy.py": """
import pulumi


PINPOINT_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "pinpoint.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def pinpoint_access(region, account, stream_name, app_id):
    return pulumi.Output.all(stream_name, app_id).apply(lambda o: {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["firehose:PutRecordBatch", "firehose:DescribeDeliveryStream"],
         "Resource": [f"arn:aws:firehose:{region}:{account}:deliverystream/{o[0]}"]},
        {"Effect": "Allow", "Action": ["mobiletargeting:UpdateEndpoint", "mobiletargeting:PutEvents"],
         "Resource": [f"arn:aws:mobiletargeting:*:{account}:apps/{o[1]}",
                      f"arn:aws:mobiletargeting:*:{account}:apps/{o[1]}/*",
                      f"arn:aws:mobiletargeting:*:{account}:apps/{o[1]}*"]},
        {"Effect": "Allow", "Action": ["mobileanalytics:PutEvents"], "Resource": ["*"]}]})


""",
        "identity_pool_policy.py": """
def unauthenticated_trust(pool_id):
    return pool_id.apply(lambda id: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}}]})


def unauthenticated_access(region, account, app_id):
    return app_id.apply(lambda id: {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["mobiletargeting:PutEvents"],
         "Resource": [f"arn:aws:mobiletargeting:{region}:{account}:apps/{id}/*"]},
        {"Effect": "Allow", "Action": ["mobiletargeting:UpdateEndpoint"],
         "Resource": [f"arn:aws:mobiletargeting:{region}:{account}:apps/{id}/*"]},
        {"Effect": "Allow", "Action": ["mobileanalytics:PutEvents"], "Resource": ["*"]}]})
""",
        "analytics.py": """
import json

import pulumi
from pulumi.resource import ResourceOptions
from pulumi_aws import config, iam, kinesis, pinpoint, s3
from pulumi_aws.get_caller_identity import get_caller_identity

from delay_resource import Delay
from firehose_policy import firehose_access, firehose_trust
from pinpoint_policy import PINPOINT_TRUST, pinpoint_access


class Analytics(pulumi.ComponentResource):
    # The original's Google Tag Manager subcomponent (gtm_analytics.py) needs nuage's own dynamic-provider
    # packages, not on PyPI under those names: it is left out, as should_create_gtm_tag=False leaves it out.
    def __init__(self, name, opts=None):
        super().__init__("nuage:aws:Analytics", name, None, opts)
        account, region = get_caller_identity().account_id, config.region
        bucket = s3.Bucket(f"{name}Bucket")
        firehose_role = iam.Role(f"{name}FirehoseRole", assume_role_policy=firehose_trust(account))
        # One camelCase key beside snake_case ones in the same dict, as the original writes it.
        stream = kinesis.FirehoseDeliveryStream(f"{name}DeliveryStream", destination="extended_s3",
            extended_s3_configuration={"bucketArn": bucket.arn, "role_arn": firehose_role.arn,
                                       "compressionFormat": "GZIP"},
            opts=ResourceOptions(depends_on=[bucket, firehose_role]))
        iam.RolePolicy(f"{name}DeliveryStreamPolicy", role=firehose_role.name,
                       policy=firehose_access(region, account, bucket.arn, stream.name).apply(json.dumps))
        app = pinpoint.App(f"{name}PinpointApp")
        stream_role = iam.Role(f"{name}PinpointStreamRole", assume_role_policy=PINPOINT_TRUST)
        stream_policy = iam.RolePolicy(f"{name}PinpointStreamPolicy", role=stream_role.name,
            policy=pinpoint_access(region, account, stream.name, app.application_id).apply(json.dumps),
            opts=ResourceOptions(depends_on=[stream_role, stream]))
        delay = Delay("EventStreamRoleDelay", 10, opts=ResourceOptions(depends_on=[stream_policy]))
        pinpoint.EventStream(f"{name}PinpointEventStream", application_id=app.application_id,
            destination_stream_arn=stream.arn, role_arn=stream_role.arn,
            opts=ResourceOptions(depends_on=[stream, app, delay]))
        self.bucket_name, self.delivery_stream_name = bucket.id, stream.name
        self.destination_stream_arn, self.pinpoint_application_id = stream.arn, app.application_id
        self.register_outputs({"bucket_name": bucket.id, "delivery_stream_name": stream.name,
                               "destination_stream_arn": stream.arn, "pinpoint_application_id": app.application_id})
""",
    },
    main="""
import json

import pulumi
from pulumi.resource import ResourceOptions
from pulumi_aws import cognito, config, iam
from pulumi_aws.get_caller_identity import get_caller_identity

from analytics import Analytics
from identity_pool_policy import unauthenticated_access, unauthenticated_trust

analytics = Analytics("MyAnalytics")
pool = cognito.IdentityPool("MyAnalyticsIdentityPool", allow_unauthenticated_identities=True,
                            identity_pool_name="MyAnalyticsIdentityPool")
unauthenticated = iam.Role("MyAnalyticsUnauthRole", assume_role_policy=unauthenticated_trust(pool.id))
# The whole role, not its name, as the policy's role: the SDK sends the resource's id.
iam.RolePolicy("MyAnalyticsUnauthRolePolicy", role=unauthenticated,
    policy=unauthenticated_access(config.region, get_caller_identity().account_id,
                                  analytics.pinpoint_application_id).apply(json.dumps),
    opts=ResourceOptions(depends_on=[analytics, unauthenticated]))
cognito.IdentityPoolRoleAttachment("MyAnalyticsIDPoolRoleAttach", identity_pool_id=pool.id,
                                   roles={"unauthenticated": unauthenticated.arn})
pulumi.export("bucket_name", analytics.bucket_name)
pulumi.export("delivery_stream_arn", analytics.destination_stream_arn)
pulumi.export("identity_pool_id", pool.id)
""",
    types={
        "aws:cognito/identityPool:IdentityPool": 1,
        "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": 1,
        "aws:iam/role:Role": 3,
        "aws:iam/rolePolicy:RolePolicy": 3,
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": 1,
        "aws:pinpoint/app:App": 1,
        "aws:pinpoint/eventStream:EventStream": 1,
        "aws:s3/bucket:Bucket": 1,
        "nuage:aws:Analytics": 1,
        "pulumi-python:dynamic:Resource": 1,
    },
)


PROGRAMS["options-advisor"] = PublicProgram(
    repo=OPTIONS,
    source="infra/{__main__,s3_helper,lambda_helper,lambda_schedule,cloudfront,route53}.py",
    name="options-advisor",
    files={
        "lambda/Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\n",
        "s3/index.html": "<h1>options</h1>\n",
        "s3/style.css": "h1 { color: black; }\n",
        "s3_helper.py": """
import os

import pulumi
import pulumi_aws as aws


def create_bucket():
    bucket = aws.s3.Bucket("s3-bucket", website=aws.s3.BucketWebsiteArgs(index_document="index.html"))
    aws.s3.BucketPublicAccessBlock("s3-block-public-access", bucket=bucket.id, block_public_acls=True,
        block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
    return bucket


def upload_files(bucket):
    for root, _, names in os.walk("./s3"):
        for name in sorted(names):
            path = os.path.join(root, name)
            # The key starts with "/", as the original joins it.
            aws.s3.BucketObject(os.path.join("/", os.path.relpath(path, "./s3")), bucket=bucket.id,
                source=pulumi.FileAsset(path), content_type="text/css" if name.endswith(".css") else None,
                opts=pulumi.ResourceOptions(parent=bucket))
""",
        "lambda_helper.py": """
import os
from datetime import datetime

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker


def setup_ecr_repo():
    repo = aws.ecr.Repository("lambda-repo", image_tag_mutability="IMMUTABLE")
    aws.ecr.LifecyclePolicy("lambda-lifecycle-policy", repository=repo.name, policy='''{"rules": [{
        "rulePriority": 1, "description": "Keep only last 5 images", "action": {"type": "expire"},
        "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan",
                      "countNumber": 5}}]}''')
    return repo


def setup_lambda_image(repo):
    # The original tags with the clock (f"v{datetime.now():%Y%m%d%H%M%S}") unless LAMBDA_VERSION is set: two runs
    # then differ, so this rewrite, tested for determinism, takes one fixed tag of that shape.
    version = os.environ.get("LAMBDA_VERSION", f"v{datetime(2024, 1, 1):%Y%m%d%H%M%S}")
    token = aws.ecr.get_authorization_token_output(registry_id=repo.registry_id)
    image = docker.Image("lambda-image",
        build=docker.DockerBuildArgs(context="lambda/", dockerfile="lambda/Dockerfile", platform="linux/amd64"),
        image_name=repo.repository_url.apply(lambda url: f"{url}:{version}"),
        registry=docker.RegistryArgs(username="AWS", password=pulumi.Output.secret(token.password),
                                     server=repo.repository_url))
    pulumi.export("imageName", image.image_name)
    return image


def setup_lambda(image, bucket):
    trust = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
        actions=["sts:AssumeRole"], effect="Allow", principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="Service", identifiers=["lambda.amazonaws.com"])])])
    role = aws.iam.Role("lambda-role", assume_role_policy=trust.json)
    # A data source called inside an apply, on the bucket's ARN.
    aws.iam.RolePolicy("lambda-policy", role=role.id, policy=bucket.arn.apply(lambda arn: aws.iam.get_policy_document(
        statements=[aws.iam.GetPolicyDocumentStatementArgs(actions=["s3:GetObject", "s3:PutObject"],
                                                           resources=[arn + "/*"], effect="Allow")]).json))
    # Settings and secrets from the deployer's environment variables (unset here: None).
    fn = aws.lambda_.Function("lambda-function", package_type="Image", image_uri=image.image_name, role=role.arn,
        memory_size=1024, timeout=120, environment=aws.lambda_.FunctionEnvironmentArgs(variables={
            "MODE": "prod", "S3_BUCKET_NAME": bucket.id, "ITM_PICKLE_PATH": os.environ.get("ITM_PICKLE_PATH"),
            "QUOTES_API_KEY": os.environ.get("QUOTES_API_KEY"), "OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY"),
            "NTFY_TOPIC": os.environ.get("NTFY_TOPIC")}))
    aws.lambda_.Permission("lambda-permission-to-s3", action="lambda:InvokeFunction", function=fn.name,
                           principal="s3.amazonaws.com", source_arn=bucket.arn)
    return fn
""",
        "lambda_schedule.py": """
import pulumi_aws as aws


def schedule_lambda(fn):
    rule = aws.cloudwatch.EventRule("cloudwatch-event-rule", schedule_expression="cron(30 12 * * ? *)")
    aws.cloudwatch.EventTarget("cloudwatch-event-target", rule=rule.name, arn=fn.arn)
    aws.lambda_.Permission("lambda-permission-to-scheduler", action="lambda:InvokeFunction", function=fn.name,
                           principal="events.amazonaws.com", source_arn=rule.arn)
""",
        "cloudfront.py": """
import json

import pulumi
import pulumi_aws as aws
from pulumi_aws import cloudfront as cf


def setup_cloudfront(bucket):
    oai = cf.OriginAccessIdentity("cloudfront-oai", comment="OAI for my static website")
    distribution = cf.Distribution("cloudfront-distribution", default_root_object="index.html", enabled=True,
        is_ipv6_enabled=True, comment="CloudFront distribution for my static website", price_class="PriceClass_100",
        origins=[cf.DistributionOriginArgs(origin_id=bucket.arn, domain_name=bucket.bucket_regional_domain_name,
            s3_origin_config=cf.DistributionOriginS3OriginConfigArgs(
                origin_access_identity=oai.cloudfront_access_identity_path))],
        default_cache_behavior=cf.DistributionDefaultCacheBehaviorArgs(allowed_methods=["GET", "HEAD"],
            cached_methods=["GET", "HEAD"], target_origin_id=bucket.arn, viewer_protocol_policy="redirect-to-https",
            forwarded_values=cf.DistributionDefaultCacheBehaviorForwardedValuesArgs(query_string=False,
                cookies=cf.DistributionDefaultCacheBehaviorForwardedValuesCookiesArgs(forward="none")),
            min_ttl=0, default_ttl=3600, max_ttl=3600),
        restrictions=cf.DistributionRestrictionsArgs(
            geo_restriction=cf.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")),
        viewer_certificate=cf.DistributionViewerCertificateArgs(cloudfront_default_certificate=True))
    # The OAI named by its canonical principal text, not its iam_arn output.
    aws.s3.BucketPolicy("s3-bucket-policy", bucket=bucket.id, policy=pulumi.Output.all(bucket.arn, oai.id).apply(
        lambda a: json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {a[1]}"},
            "Action": "s3:GetObject", "Resource": f"{a[0]}/*"}]})))
    return distribution
""",
        "route53.py": """
import os

import pulumi
import pulumi_aws as aws


def setup_dns(distribution):
    # The original needs DOMAIN_NAME set (a Zone requires a name); here it has a default, so the test runs anywhere.
    domain = os.environ.get("DOMAIN_NAME", "options.example.com")
    zone = aws.route53.Zone("my-domain-zone", name=domain)
    aws.route53.Record("my-alias-record", zone_id=zone.id, name=domain, type="A",
        aliases=[aws.route53.RecordAliasArgs(name=distribution.domain_name, zone_id="Z2FDTNDATAQYW2",
                                             evaluate_target_health=False)])
    certificate = aws.acm.Certificate("my-certificate", domain_name=domain, validation_method="DNS")
    records = []

    def validation_records(options):
        # Resources registered inside an apply, one per validation option.
        for option in options:
            records.append(aws.route53.Record(f"validationRecord-{option.domain_name}",
                name=option.resource_record_name, zone_id=zone.zone_id, type=option.resource_record_type,
                records=[option.resource_record_value], ttl=300))

    certificate.domain_validation_options.apply(validation_records)
    aws.acm.CertificateValidation("certificate-validation", certificate_arn=certificate.arn,
        validation_record_fqdns=pulumi.Output.all(*records).apply(lambda found: [r.fqdn for r in found]))

    def updated(existing, certificate_arn):
        # A second distribution built inside an apply from the first one's outputs, read as dicts.
        return aws.cloudfront.Distribution("updated-cloudfront-distribution",
            origins=existing.origins.apply(lambda origins: [{"domain_name": o["domain_name"],
                "origin_id": o["origin_id"], "s3_origin_config": o.get("s3_origin_config"),
                "custom_origin_config": o.get("custom_origin_config")} for o in origins]),
            enabled=True, is_ipv6_enabled=True,
            default_cache_behavior=existing.default_cache_behavior.apply(lambda cb: {
                "targetOriginId": cb["target_origin_id"], "viewerProtocolPolicy": cb["viewer_protocol_policy"],
                "allowedMethods": cb["allowed_methods"], "cachedMethods": cb["cached_methods"],
                "forwardedValues": cb["forwarded_values"], "minTtl": cb["min_ttl"],
                "defaultTtl": cb["default_ttl"], "maxTtl": cb["max_ttl"]}),
            price_class=existing.price_class, restrictions=existing.restrictions,
            viewer_certificate={"acmCertificateArn": certificate_arn, "sslSupportMethod": "sni-only",
                                "minimumProtocolVersion": "TLSv1.2_2019"},
            aliases=[domain], comment=existing.comment, default_root_object=existing.default_root_object,
            custom_error_responses=existing.custom_error_responses, logging_config=existing.logging_config,
            ordered_cache_behaviors=existing.ordered_cache_behaviors, web_acl_id=existing.web_acl_id,
            http_version=existing.http_version)

    distribution2 = pulumi.Output.all(distribution, certificate.arn).apply(lambda a: updated(*a))
    pulumi.export("Route 53 nameservers", zone.name_servers)
    pulumi.export("Updated CloudFront domain", distribution2.domain_name)
""",
    },
    main="""
import pulumi

import cloudfront
import lambda_helper
import lambda_schedule
import route53
import s3_helper

# The original also runs `aws.config.region = os.environ.get("AWS_REGION", "us-east-1")`: in a fresh process
# (pulumi preview, the gate's child) that sets an attribute of the SDK's lazy module and configures nothing; in a
# process that has loaded pulumi_aws.config (this in-process test) the SDK refuses it (no setter). Left out here.
bucket = s3_helper.create_bucket()
s3_helper.upload_files(bucket)
repo = lambda_helper.setup_ecr_repo()
image = lambda_helper.setup_lambda_image(repo)
fn = lambda_helper.setup_lambda(image, bucket)
lambda_schedule.schedule_lambda(fn)
distribution = cloudfront.setup_cloudfront(bucket)
route53.setup_dns(distribution)
pulumi.export("S3 bucket", bucket.bucket)
pulumi.export("Website URL", bucket.website_endpoint)
pulumi.export("Lambda image", image.image_name)
pulumi.export("CloudFront domain", distribution.domain_name)
""",
    types={
        "aws:acm/certificate:Certificate": 1,
        "aws:acm/certificateValidation:CertificateValidation": 1,
        "aws:cloudfront/distribution:Distribution": 2,
        "aws:cloudfront/originAccessIdentity:OriginAccessIdentity": 1,
        "aws:cloudwatch/eventRule:EventRule": 1,
        "aws:cloudwatch/eventTarget:EventTarget": 1,
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
        "aws:ecr/repository:Repository": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 1,
        "aws:lambda/function:Function": 1,
        "aws:lambda/permission:Permission": 2,
        "aws:route53/record:Record": 1,
        "aws:route53/zone:Zone": 1,
        "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketObject:BucketObject": 2,
        "aws:s3/bucketPolicy:BucketPolicy": 1,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
        "docker:index/image:Image": 1,
    },
)

# Fourth round (containers and networking, issue 11): programs outside pulumi's own repositories. They add a
# node group's EKS cluster with a NAT gateway per zone and subnet tags whose key comes from an `apply`
# (`aws.ec2.Tag`), `aws.config.profile` read from the stack file, aws-native load balancers mixed with pulumi-aws
# resources under one explicit provider, camelCase keys in dict inputs (`deviceIndex`), an ACM certificate validated
# through Route 53 records, and settings in a plain module (`variables.py`) and the environment (`os.environ`).
OSW282_EKS = "osw282/pulumi-aws-eks-hello-world-demo@2a875d346a286e5bfd56457843443743af5f60b7"
ASG_WEBSERVER = "joshuamkite/pulumi-python-aws-asg-ec2-webserver@14a383a8fba2ce99131777986a63a8645d46285e"

PROGRAMS["eks-nat-per-zone"] = PublicProgram(
    repo=OSW282_EKS,
    source="pulumi/{__main__,infra/vpc,infra/iam,infra/eks,infra/ecr}.py",
    name="hello-world-pulumi",
    config={
        "aws:region": "eu-west-2",
        "aws:profile": "<YOUR_PROFILE_NAME>",
        "hello-world-pulumi:name": "my-eks-cluster",
        "hello-world-pulumi:eksVersion": "1.33",
        "hello-world-pulumi:vpcCidr": "10.0.0.0/16",
        "hello-world-pulumi:publicSubnetCidrs": ["10.0.1.0/24", "10.0.2.0/24"],
        "hello-world-pulumi:privateSubnetCidrs": ["10.0.3.0/24", "10.0.4.0/24"],
        "hello-world-pulumi:instanceTypes": ["t3.medium"],
        "hello-world-pulumi:desiredSize": "2",
        "hello-world-pulumi:minSize": "2",
        "hello-world-pulumi:maxSize": "4",
    },
    files={
        "infra/vpc.py": """import pulumi_aws as aws


def create_vpc(name, cidr, zones, public_cidrs, private_cidrs, tags):
    if len(public_cidrs) != len(private_cidrs):
        raise ValueError("publicSubnetCidrs and privateSubnetCidrs must have the same length")
    vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True,
                      tags={**tags, "Name": f"{name}-vpc"})
    igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-igw"})
    public_rt = aws.ec2.RouteTable(f"{name}-public-rt", vpc_id=vpc.id,
        routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
        tags={**tags, "Name": f"{name}-public-rt"})
    public, private = [], []
    for i, zone in enumerate(zones[: len(public_cidrs)]):
        subnet = aws.ec2.Subnet(f"{name}-public-{i+1}", vpc_id=vpc.id, cidr_block=public_cidrs[i],
            availability_zone=zone, map_public_ip_on_launch=True,
            tags={**tags, "Name": f"{name}-public-{zone}", "kubernetes.io/role/elb": "1"})
        public.append(subnet)
        aws.ec2.RouteTableAssociation(f"{name}-public-rt-assoc-{i+1}", subnet_id=subnet.id,
                                      route_table_id=public_rt.id)
        eip = aws.ec2.Eip(f"{name}-nat-eip-{i+1}", domain="vpc", tags={**tags, "Name": f"{name}-nat-eip-{zone}"})
        nat = aws.ec2.NatGateway(f"{name}-natgw-{i+1}", subnet_id=subnet.id, allocation_id=eip.id,
                                 tags={**tags, "Name": f"{name}-natgw-{zone}"})
        inner = aws.ec2.Subnet(f"{name}-private-{i+1}", vpc_id=vpc.id, cidr_block=private_cidrs[i],
            availability_zone=zone, map_public_ip_on_launch=False,
            tags={**tags, "Name": f"{name}-private-{zone}", "kubernetes.io/role/internal-elb": "1"})
        private.append(inner)
        rt = aws.ec2.RouteTable(f"{name}-private-rt-{i+1}", vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
            tags={**tags, "Name": f"{name}-private-rt-{zone}"})
        aws.ec2.RouteTableAssociation(f"{name}-private-rt-assoc-{i+1}", subnet_id=inner.id, route_table_id=rt.id)
    return {"vpc": vpc, "public": public, "private": private}
""",
        "infra/iam.py": """import json

import pulumi_aws as aws


def _trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def create_eks_roles(name, tags):
    cluster = aws.iam.Role(f"{name}-cluster-role", assume_role_policy=_trust("eks.amazonaws.com"),
                           tags={**tags, "Name": f"{name}-cluster-role"})
    aws.iam.RolePolicyAttachment(f"{name}-cluster-policy", role=cluster.name,
                                 policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
    node = aws.iam.Role(f"{name}-node-role", assume_role_policy=_trust("ec2.amazonaws.com"),
                        tags={**tags, "Name": f"{name}-node-role"})
    for suffix, policy in [("worker-node-policy", "AmazonEKSWorkerNodePolicy"), ("cni-policy", "AmazonEKS_CNI_Policy"),
                           ("ecr-ro", "AmazonEC2ContainerRegistryReadOnly")]:
        aws.iam.RolePolicyAttachment(f"{name}-{suffix}", role=node.name, policy_arn=f"arn:aws:iam::aws:policy/{policy}")
    return {"cluster": cluster, "node": node}
""",
        "infra/eks.py": """import pulumi_aws as aws


def create_eks(name, version, public, private, cluster_role_arn, node_role_arn, instance_types, desired, low, high,
               tags):
    cluster = aws.eks.Cluster(name, role_arn=cluster_role_arn, version=version,
        vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=[s.id for s in public + private],
                                                endpoint_private_access=True, endpoint_public_access=True),
        tags={**tags, "Name": name})
    aws.eks.NodeGroup(f"{name}-ng", cluster_name=cluster.name, node_role_arn=node_role_arn,
        subnet_ids=[s.id for s in private],
        scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=desired, min_size=low, max_size=high),
        instance_types=instance_types, capacity_type="ON_DEMAND", ami_type="AL2023_x86_64_STANDARD", tags=tags)
    for i, subnet in enumerate(public + private, start=1):
        aws.ec2.Tag(f"{name}-subnet-cluster-tag-{i}", resource_id=subnet.id,
                    key=cluster.name.apply(lambda n: f"kubernetes.io/cluster/{n}"), value="owned")
    return cluster
""",
        "infra/ecr.py": '''import pulumi_aws as aws

RULES = """{"rules": [
  {"rulePriority": 1, "description": "Keep last 10 images", "action": {"type": "expire"},
   "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 10}},
  {"rulePriority": 2, "description": "Delete untagged images older than 1 day", "action": {"type": "expire"},
   "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}}]}"""


def create_ecr_repository(name, tags):
    repository = aws.ecr.Repository(f"{name}-ecr", name=f"{name}-hello-world", image_tag_mutability="MUTABLE",
        force_delete=True,
        image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
        encryption_configurations=[{"encryption_type": "AES256"}], tags={**tags, "Name": f"{name}-hello-world"})
    aws.ecr.LifecyclePolicy(f"{name}-ecr-lifecycle-policy", repository=repository.name, policy=RULES)
    return repository
''',
    },
    main="""import pulumi
import pulumi_aws as aws
import pulumi_command as command

from infra.ecr import create_ecr_repository
from infra.eks import create_eks
from infra.iam import create_eks_roles
from infra.vpc import create_vpc

config = pulumi.Config()
name = config.get("name")
region = aws.config.region
version = config.get("eksVersion") or "1.33"
public_cidrs = config.get_object("publicSubnetCidrs") or ["10.0.1.0/24", "10.0.2.0/24"]
private_cidrs = config.get_object("privateSubnetCidrs") or ["10.0.3.0/24", "10.0.4.0/24"]
tags = {"Project": name, "pulumi:stack": pulumi.get_stack()}
zones = aws.get_availability_zones(state="available").names[: len(public_cidrs)]

network = create_vpc(name, config.get("vpcCidr") or "10.0.0.0/16", zones, public_cidrs, private_cidrs, tags)
roles = create_eks_roles(name, tags)
cluster = create_eks(name, version, network["public"], network["private"], roles["cluster"].arn,
                     roles["node"].arn, config.get_object("instanceTypes") or ["t3.medium"],
                     int(config.get("desiredSize") or 2), int(config.get("minSize") or 2),
                     int(config.get("maxSize") or 4), tags)
profile = aws.config.profile or "default"
command.local.Command("update-kubeconfig",
    create=pulumi.Output.concat("aws eks update-kubeconfig --region ", region, " --name ", cluster.name,
                                " --profile ", profile),
    opts=pulumi.ResourceOptions(depends_on=[cluster]))
kubeconfig = pulumi.Output.all(cluster.endpoint, cluster.certificate_authority, cluster.name).apply(
    lambda a: f"apiVersion: v1\\nclusters:\\n- cluster:\\n    certificate-authority-data: {a[1]['data']}\\n"
    f"    server: {a[0]}\\n  name: {a[2]}\\ncurrent-context: {a[2]}\\nkind: Config\\n"
    f"users:\\n- name: {a[2]}\\n  user:\\n    exec:\\n      command: aws\\n"
    f"      args: [eks, get-token, --cluster-name, {a[2]}, --region, {region}, --profile, {profile}]\\n")
repository = create_ecr_repository(name, tags)
pulumi.export("region", region)
pulumi.export("clusterName", cluster.name)
pulumi.export("kubeconfig", kubeconfig)
pulumi.export("vpcId", network["vpc"].id)
pulumi.export("ecrRepositoryUrl", repository.repository_url)
pulumi.export("privateSubnetIds", [s.id for s in network["private"]])
""",
    types={
        "aws:ec2/eip:Eip": 2,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/natGateway:NatGateway": 2,
        "aws:ec2/routeTable:RouteTable": 3,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
        "aws:ec2/subnet:Subnet": 4,
        "aws:ec2/tag:Tag": 4,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
        "aws:ecr/repository:Repository": 1,
        "aws:eks/cluster:Cluster": 1,
        "aws:eks/nodeGroup:NodeGroup": 1,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
        "command:local:Command": 1,
    },
)

PROGRAMS["asg-native-alb"] = PublicProgram(
    repo=ASG_WEBSERVER,
    source="{__main__,variables}.py",
    name="pulumi-aws-asg",
    files={
        "variables.py": """aws_region = "eu-west-2"
instance_type = "t2.micro"
ec2_config = {"min_size": 1, "max_size": 3, "desired_capacity": 1}
default_tags = {"project": "pulumi-aws-ec2-asg", "owner": "Joshua", "Name": "pulumi-aws-ec2-asg"}
create_dns_record = True
dns_name = "ec2-asg.example.co.uk"
"""
    },
    main='''import base64
import os

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
import variables

provider = aws.Provider("aws", region=variables.aws_region)
opts = pulumi.ResourceOptions(provider=provider)
tags = variables.default_tags
# The original reads the zone from the environment its README asks to export; stated so the test needs none.
ZONE = os.environ.get("ROUTE53_ZONE_ID", "Z0123456789ABCDEFGHIJ")
vpc = aws.ec2.get_vpc(id=os.environ.get("VPC_ID"))
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}]).ids
ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                      filters=[{"name": "name", "values": ["al2023-ami-*-kernel*x86_64*"]}])

lb_group = aws.ec2.SecurityGroup("security-group", vpc_id=vpc.id, description="Allow HTTP; HTTPS", opts=opts,
                                 tags=tags)
if variables.create_dns_record:
    aws.ec2.SecurityGroupRule("https-ingress", security_group_id=lb_group.id, protocol="tcp", from_port=443,
                              to_port=443, cidr_blocks=["0.0.0.0/0"], type="ingress", opts=opts)
if not variables.create_dns_record:
    aws.ec2.SecurityGroupRule("http-ingress", security_group_id=lb_group.id, protocol="tcp", from_port=80,
                              to_port=80, cidr_blocks=["0.0.0.0/0"], type="ingress", opts=opts)
aws.ec2.SecurityGroupRule("egress", security_group_id=lb_group.id, protocol="-1", from_port=0, to_port=0,
                          cidr_blocks=["0.0.0.0/0"], type="egress", opts=opts)
instance_group = aws.ec2.SecurityGroup("security-group_instance", vpc_id=vpc.id, description="Allow HTTP; HTTPS",
                                       opts=opts, tags=tags)
aws.ec2.SecurityGroupRule("http-ingress_instance", security_group_id=instance_group.id, protocol="tcp",
                          from_port=80, to_port=80, source_security_group_id=lb_group.id, type="ingress", opts=opts)
aws.ec2.SecurityGroupRule("egress_instance", security_group_id=instance_group.id, protocol="-1", from_port=0,
                          to_port=0, cidr_blocks=["0.0.0.0/0"], type="egress", opts=opts)

role = aws.iam.Role("ec2-role", tags=tags, opts=opts, assume_role_policy="""{"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}""")
aws.iam.RolePolicyAttachment("ssm-core-policy-attachment", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", opts=opts)
for name, service in [("ssm-endpoint", "ssm"), ("ec2-messages-endpoint", "ec2messages"),
                      ("ssm-messages-endpoint", "ssmmessages")]:
    aws.ec2.VpcEndpoint(name, vpc_id=vpc.id, service_name=f"com.amazonaws.{variables.aws_region}.{service}",
                        vpc_endpoint_type="Interface", security_group_ids=[instance_group.id], subnet_ids=subnets,
                        opts=opts)
profile = aws.iam.InstanceProfile("instance-profile", role=role.name, tags=tags, opts=opts)

script = "#!/bin/bash\\ndnf install -y httpd\\nsystemctl enable --now httpd\\n"
template = aws.ec2.LaunchTemplate("launch-template", image_id=ami.id, instance_type=variables.instance_type,
    user_data=base64.b64encode(script.encode("utf-8")).decode("utf-8"), opts=opts,
    iam_instance_profile={"name": profile.name},
    network_interfaces=[{"deviceIndex": 0, "associatePublicIpAddress": True, "subnetId": subnets[0],
                         "securityGroups": [instance_group.id]}])
group = aws.autoscaling.Group("asg", vpc_zone_identifiers=subnets,
    launch_template={"id": template.id, "version": "$Latest"},
    min_size=variables.ec2_config["min_size"], max_size=variables.ec2_config["max_size"],
    desired_capacity=variables.ec2_config["desired_capacity"], health_check_type="EC2",
    tags=[{"key": k, "value": v, "propagate_at_launch": "True"} for k, v in tags.items()], opts=opts)

lb_tags = [{"key": k, "value": v} for k, v in tags.items()]
balancer = aws_native.elasticloadbalancingv2.LoadBalancer("load-balancer", subnets=subnets,
    security_groups=[lb_group.id], type="application", tags=lb_tags, opts=opts)
targets = aws_native.elasticloadbalancingv2.TargetGroup("target-group", port=80, protocol="HTTP", vpc_id=vpc.id,
                                                        tags=lb_tags, opts=opts)
if variables.create_dns_record:
    certificate = aws.acm.Certificate("certificate", domain_name=variables.dns_name, validation_method="DNS",
                                      tags=tags, opts=opts)
    validation = aws.route53.Record("certificate-validation",
        name=certificate.domain_validation_options[0].resource_record_name,
        type=certificate.domain_validation_options[0].resource_record_type,
        zone_id=ZONE,
        records=[certificate.domain_validation_options[0].resource_record_value], ttl=60, opts=opts)
    aws.acm.CertificateValidation("certificate-validation-dns-record", certificate_arn=certificate.arn,
                                  validation_record_fqdns=[validation.fqdn], opts=opts)
    aws_native.elasticloadbalancingv2.Listener("https-listener", load_balancer_arn=balancer.load_balancer_arn,
        port=443, protocol="HTTPS",
        default_actions=[{"type": "forward", "target_group_arn": targets.target_group_arn}],
        certificates=[{"certificateArn": certificate.arn}], opts=opts)
    aws_native.elasticloadbalancingv2.Listener("http-listener", load_balancer_arn=balancer.load_balancer_arn,
        port=80, protocol="HTTP", opts=opts,
        default_actions=[{"type": "redirect",
                          "redirect_config": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}])
aws.autoscaling.Attachment("asg-attachment", autoscaling_group_name=group.name,
                           lb_target_group_arn=targets.target_group_arn, opts=opts)
pulumi.export("loadBalancerDns", balancer.dns_name)
if variables.create_dns_record:
    record = aws.route53.Record("dns-record", name=variables.dns_name, type="A",
        zone_id=ZONE, opts=opts,
        aliases=[{"name": balancer.dns_name, "zoneId": balancer.canonical_hosted_zone_id,
                  "evaluateTargetHealth": True}])
    pulumi.export("dnsRecord", record.fqdn)
''',
    types={
        "aws-native:elasticloadbalancingv2:Listener": 2,
        "aws-native:elasticloadbalancingv2:LoadBalancer": 1,
        "aws-native:elasticloadbalancingv2:TargetGroup": 1,
        "aws:acm/certificate:Certificate": 1,
        "aws:acm/certificateValidation:CertificateValidation": 1,
        "aws:autoscaling/attachment:Attachment": 1,
        "aws:autoscaling/group:Group": 1,
        "aws:ec2/launchTemplate:LaunchTemplate": 1,
        "aws:ec2/securityGroup:SecurityGroup": 2,
        "aws:ec2/securityGroupRule:SecurityGroupRule": 4,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 3,
        "aws:iam/instanceProfile:InstanceProfile": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:route53/record:Record": 2,
        "pulumi:providers:aws": 1,
    },
)

SCHEDULED_ECS = "kaniak274/scheduled-ecs-pulumi-python@d543c8f9a5ee3261ed114e8ab5e5404d85d1bab8"
WEBSTORE = "svodwood/pulumi-eks-cilium-demo-webstore@58716cd40b5274db8627ed507991608816b6cdba"

# A Fargate task run on a schedule: `if __name__ == "__main__":`, globals read inside functions, and
# `get_policy_document` invokes fed resource outputs (a cluster ARN in a condition, role ARNs as resources).
PROGRAMS["scheduled-ecs-task"] = PublicProgram(
    repo=SCHEDULED_ECS,
    source="__main__.py",
    name="pulumi_fun",
    main="""import os

import pulumi
import pulumi_aws as aws

PREFIX = "example"
# The original requires both in the environment (os.environ[...]; offline the gate names the KeyError at its line);
# given defaults here so the test needs no environment.
AWS_REGION = os.environ.get("AWS_REGION", "us-east-1")
AWS_ACCOUNT_ID = os.environ.get("AWS_ACCOUNT_ID", "123456789012")


def trust(service):
    return aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
        actions=["sts:AssumeRole"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service", identifiers=[service])])])


def create_ecs_cluster():
    return aws.ecs.Cluster(f"{PREFIX}-cluster", name=f"{PREFIX}-cluster")


def setup_ecs_execution_role():
    role = aws.iam.Role(f"{PREFIX}-ecs-execution-role", assume_role_policy=trust("ecs-tasks.amazonaws.com").json)
    aws.iam.RolePolicyAttachment(f"{PREFIX}-ecs-task-execution-policy-attachment", role=role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
    aws.iam.RolePolicyAttachment(f"{PREFIX}-ec2-container-registry-policy-attachment", role=role.name,
        policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
    return role


def setup_ecs_task(execution_role):
    repository = aws.ecr.Repository(f"{PREFIX}-image")
    logs = aws.cloudwatch.LogGroup(f"{PREFIX}-logs-group", name=f"{PREFIX}-logs-group")
    return aws.ecs.TaskDefinition(f"{PREFIX}-task", family=PREFIX, cpu=256, memory=512,
        execution_role_arn=execution_role.arn, requires_compatibilities=["FARGATE"], network_mode="awsvpc",
        container_definitions=pulumi.Output.json_dumps([{"name": "schedule-task", "image": repository.repository_url,
            "cpu": 0, "memory": 256, "essential": True,
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-stream-prefix": PREFIX,
                "awslogs-region": AWS_REGION, "awslogs-group": logs.name}}}]))


def setup_execution_role_for_scheduled_task(execution_role):
    run_task = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
        actions=["ecs:RunTask"], resources=[f"arn:aws:ecs:{AWS_REGION}:{AWS_ACCOUNT_ID}:task-definition/example:*"],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(test="StringLike", variable="ecs:cluster",
                                                                   values=[cluster.arn])])])
    task_role = aws.iam.Role(f"{PREFIX}-ecs-task-role", name=f"{PREFIX}-ecs-task-role",
                             assume_role_policy=trust("ecs-tasks.amazonaws.com").json)
    events_role = aws.iam.Role(f"{PREFIX}-schedule-event-role", name=f"{PREFIX}-schedule-event-role",
                               assume_role_policy=trust("events.amazonaws.com").json)
    aws.iam.RolePolicy(f"{PREFIX}-events-ecs", name=f"{PREFIX}-events-ecs", role=events_role.id, policy=run_task.json)
    pass_role = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
        effect="Allow", actions=["iam:PassRole"], resources=[execution_role.arn, task_role.arn])])
    aws.iam.RolePolicy(f"{PREFIX}-events-ecs-pass-role", name=f"{PREFIX}-events-ecs-pass-role", role=events_role.id,
                       policy=pass_role.json)
    return events_role


def schedule_ecs_task(role, cluster, task):
    rule = aws.cloudwatch.EventRule(f"{PREFIX}-scheduler", name=f"{PREFIX}-scheduler",
                                    schedule_expression="cron(0/5 * * * ? *)")
    return aws.cloudwatch.EventTarget(f"{PREFIX}-event-target", rule=rule.name, target_id=task.family,
        arn=cluster.arn, role_arn=role.arn,
        ecs_target=aws.cloudwatch.EventTargetEcsTargetArgs(launch_type="FARGATE", task_count=1,
            task_definition_arn=task.arn,
            network_configuration=aws.cloudwatch.EventTargetEcsTargetNetworkConfigurationArgs(
                subnets=["subnet-0777a552681a1ec29", "subnet-0c40de75363b4f171", "subnet-0dd74048e8c527393"],
                assign_public_ip=True)))


if __name__ == "__main__":
    cluster = create_ecs_cluster()
    execution_role = setup_ecs_execution_role()
    task = setup_ecs_task(execution_role=execution_role)
    events_role = setup_execution_role_for_scheduled_task(execution_role=execution_role)
    schedule_ecs_task(role=events_role, cluster=cluster, task=task)
""",
    types={
        "aws:cloudwatch/eventRule:EventRule": 1,
        "aws:cloudwatch/eventTarget:EventTarget": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:ecr/repository:Repository": 1,
        "aws:ecs/cluster:Cluster": 1,
        "aws:ecs/taskDefinition:TaskDefinition": 1,
        "aws:iam/role:Role": 3,
        "aws:iam/rolePolicy:RolePolicy": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,
    },
)

# The network and data tier of an EKS web store (its eks.py needs pulumi_eks and pulumi_kubernetes, not installed,
# and s3.py is left out with it): four subnet tiers with a NAT gateway per zone, eight interface endpoints, a
# Multi-AZ ElastiCache replication group and RDS PostgreSQL whose connection strings (secrets) go to SSM, modules
# that import each other's resources, and whole resources passed where a name is expected (`subnet_group_name=group`).
PROGRAMS["webstore-data-tier"] = PublicProgram(
    repo=WEBSTORE,
    source="{__main__,settings,vpc,subnet_groups,vpc_endpoints,elasticache,rds}.py",
    name="pulumi-eks-cilium-demo-webstore",
    config={
        "aws:region": "eu-central-1",
        "pulumi-eks-cilium-demo-webstore:flux-github-repo-owner": "example-owner",
        "pulumi-eks-cilium-demo-webstore:flux-github-repo-name": "example-flux",
        "pulumi-eks-cilium-demo-webstore:flux-github-token": {"secure": "v1:AAAA"},
        "pulumi-eks-cilium-demo-webstore:sql-user": {"secure": "v1:AAAA"},
        "pulumi-eks-cilium-demo-webstore:sql-password": {"secure": "v1:AAAA"},
    },
    files={
        "settings.py": """import pulumi
from pulumi_aws import config, get_caller_identity

stack_config = pulumi.Config()
caller = get_caller_identity()
general_tags = {"stack:name": "demo-cilium-stack", "stack:pulumi": pulumi.get_stack()}
vpc_cidr = "10.200.0.0/16"
public_cidrs = ["10.200.0.0/20", "10.200.16.0/20"]
private_cidrs = ["10.200.32.0/20", "10.200.48.0/20"]
eks_cp_cidrs = ["10.200.64.0/24", "10.200.65.0/24"]
db_cidrs = ["10.200.66.0/24", "10.200.67.0/24"]
account_id = caller.account_id
region = config.region
endpoint_services = ["ecr.api", "ecr.dkr", "ec2", "sts", "logs", "s3", "email-smtp", "cloudformation"]
cluster_descriptor = "cilium-web-demo"
redis_instance_size = "cache.t4g.micro"
postgres_instance_size = "db.t4g.small"
db_name = "saleor"
sql_parameter_name = "saleor-sql-connection-string"
redis_parameter_name = "saleor-redis-connection-string"
sql_user = stack_config.require_secret("sql-user")
sql_password = stack_config.require_secret("sql-password")
flux_owner = stack_config.require("flux-github-repo-owner")
flux_repo = stack_config.require("flux-github-repo-name")
flux_token = stack_config.require_secret("flux-github-token")
""",
        "vpc.py": """import pulumi
from pulumi_aws import config, ec2, get_availability_zones

from settings import cluster_descriptor, db_cidrs, eks_cp_cidrs, general_tags, private_cidrs, public_cidrs, vpc_cidr

vpc = ec2.Vpc("demo-vpc", cidr_block=vpc_cidr, enable_dns_hostnames=True, enable_dns_support=True,
              tags={**general_tags, "Name": f"demo-vpc-{config.region}"})
igw = ec2.InternetGateway("demo-igw", vpc_id=vpc.id, tags={**general_tags, "Name": f"demo-igw-{config.region}"},
                          opts=pulumi.ResourceOptions(parent=vpc))
anywhere = [ec2.SecurityGroupIngressArgs(description="Any", from_port=0, to_port=0, protocol="-1",
                                         cidr_blocks=["0.0.0.0/0"], ipv6_cidr_blocks=["::/0"])]
ec2.SecurityGroup("demo-security-group", description="Allow any-any", vpc_id=vpc.id, ingress=anywhere,
    egress=[ec2.SecurityGroupEgressArgs(from_port=0, to_port=0, protocol="-1", cidr_blocks=["0.0.0.0/0"],
                                        ipv6_cidr_blocks=["::/0"])],
    tags={**general_tags, "Name": f"demo-sg-{config.region}"}, opts=pulumi.ResourceOptions(parent=vpc))

zones = get_availability_zones(state="available").names
public_subnets, private_subnets, eks_cp_subnets, db_subnets = [], [], [], []


def tier(kind, i, cidr, extra_tags=None):
    subnet = ec2.Subnet(f"demo-{kind}-subnet-{zones[i]}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=zones[i],
                        tags={**general_tags, **(extra_tags or {}), "Name": f"demo-{kind}-subnet-{zones[i]}"},
                        opts=pulumi.ResourceOptions(parent=vpc))
    table = ec2.RouteTable(f"demo-{kind}-rt-{zones[i]}", vpc_id=vpc.id,
                           tags={**general_tags, "Name": f"demo-{kind}-rt-{zones[i]}"},
                           opts=pulumi.ResourceOptions(parent=subnet))
    return subnet, table


for i in range(2):
    public, public_rt = tier("public", i, public_cidrs[i])
    public_subnets.append(public)
    ec2.RouteTableAssociation(f"demo-public-rt-association-{zones[i]}", route_table_id=public_rt.id,
                              subnet_id=public.id, opts=pulumi.ResourceOptions(parent=public))
    ec2.Route(f"demo-public-wan-route-{zones[i]}", route_table_id=public_rt.id, gateway_id=igw.id,
              destination_cidr_block="0.0.0.0/0", opts=pulumi.ResourceOptions(parent=public))
    eip = ec2.Eip(f"demo-eip-{zones[i]}", tags={**general_tags, "Name": f"demo-eip-{zones[i]}"},
                  opts=pulumi.ResourceOptions(parent=vpc))
    nat = ec2.NatGateway(f"demo-nat-gateway-{zones[i]}", allocation_id=eip.id, subnet_id=public.id,
                         tags={**general_tags, "Name": f"demo-nat-{zones[i]}"},
                         opts=pulumi.ResourceOptions(depends_on=[vpc]))
    for kind, cidrs, found, extra in [
        ("private", private_cidrs, private_subnets,
         {"cilium-pod-interfaces": "private", "karpenter.sh/discovery": cluster_descriptor}),
        ("eks-cp", eks_cp_cidrs, eks_cp_subnets, None),
        ("db", db_cidrs, db_subnets, None),
    ]:
        subnet, table = tier(kind, i, cidrs[i], extra)
        found.append(subnet)
        # the original associates the db subnets with the eks-cp table (its own db table stays unassociated)
        associated = eks_cp_table if kind == "db" else table
        ec2.RouteTableAssociation(f"demo-{kind}-rt-association-{zones[i]}", route_table_id=associated.id,
                                  subnet_id=subnet.id, opts=pulumi.ResourceOptions(parent=subnet))
        ec2.Route(f"demo-{kind}-wan-route-{zones[i]}", route_table_id=table.id, nat_gateway_id=nat.id,
                  destination_cidr_block="0.0.0.0/0", opts=pulumi.ResourceOptions(parent=subnet))
        if kind == "eks-cp":
            eks_cp_table = table
""",
        "subnet_groups.py": """from pulumi_aws import elasticache, rds

from settings import general_tags
from vpc import db_subnets

postgresql_subnet_group = rds.SubnetGroup("demo-postgresql-subnet-group", subnet_ids=[s.id for s in db_subnets],
    description="Saleor PostgreSQL Subnet Group", tags={**general_tags, "Name": "demo-postgresql-subnet-group"})
redis_subnet_group = elasticache.SubnetGroup("demo-redis-subnet-group", subnet_ids=[s.id for s in db_subnets],
    description="Saleor Redis Subnet Group", tags={**general_tags, "Name": "demo-redis-subnet-group"})
""",
        "vpc_endpoints.py": """from pulumi import ResourceOptions
from pulumi_aws import ec2

from settings import endpoint_services, general_tags, region, vpc_cidr
from vpc import private_subnets, vpc

group = ec2.SecurityGroup("aws-vpc-endpoints-sg", description="Shared security groups for AWS services VPC endpoints",
                          vpc_id=vpc.id, tags={**general_tags, "Name": "aws-vpc-endpoints-sg"})
ec2.SecurityGroupRule("inbound-vpc-endpoint-cidrs", type="ingress", from_port=443, to_port=443, protocol="tcp",
                      cidr_blocks=[vpc_cidr], security_group_id=group.id)
ec2.SecurityGroupRule("outbound-vpc-endpoint-cidrs", type="egress", to_port=0, protocol="-1", from_port=0,
                      cidr_blocks=["0.0.0.0/0"], security_group_id=group.id)
endpoints = [
    ec2.VpcEndpoint(f"{service.replace('.', '-')}-vpc-endpoint", vpc_id=vpc.id,
        service_name=f"com.amazonaws.{region}.{service}", vpc_endpoint_type="Interface",
        subnet_ids=[s.id for s in private_subnets], security_group_ids=[group.id],
        private_dns_enabled=service != "s3", tags={**general_tags, "Name": f"{service.replace('.', '-')}-vpc-endpoint"},
        opts=ResourceOptions(depends_on=[group], parent=vpc))
    for service in endpoint_services
]
""",
        "elasticache.py": """from pulumi import Output, export
from pulumi_aws import cloudwatch, ec2, elasticache, ssm

from settings import general_tags, private_cidrs, redis_instance_size, redis_parameter_name
from subnet_groups import redis_subnet_group
from vpc import vpc

logs = cloudwatch.LogGroup("demo-redis-loggroup", name="/aws/elasticache/redis", tags=general_tags,
                           retention_in_days=1)
group = ec2.SecurityGroup("demo-redis-security-group", description="Redis security group", vpc_id=vpc.id,
                          tags={**general_tags, "Name": "demo-redis-security-group"})
ec2.SecurityGroupRule("demo-redis-security-group-inbound", type="ingress", from_port=6379, to_port=6379,
                      protocol="tcp", cidr_blocks=private_cidrs, security_group_id=group.id)
ec2.SecurityGroupRule("demo-redis-security-group-outbound", type="egress", to_port=0, protocol="-1", from_port=0,
                      cidr_blocks=["0.0.0.0/0"], security_group_id=group.id)
# The original passes whole resources where names are expected (the subnet group, the log group).
cluster = elasticache.ReplicationGroup("demo-saleor-core-redis-cluster", automatic_failover_enabled=True,
    description="Saleor Core Cache", node_type=redis_instance_size, multi_az_enabled=True,
    parameter_group_name="default.redis7", port=6379, num_cache_clusters=2, subnet_group_name=redis_subnet_group,
    security_group_ids=[group.id],
    log_delivery_configurations=[elasticache.ReplicationGroupLogDeliveryConfigurationArgs(destination=logs,
        destination_type="cloudwatch-logs", log_format="text", log_type="slow-log")],
    tags={**general_tags, "Name": "demo-saleor-core-redis-cluster"})
export("redis-primary-endpoint", cluster.primary_endpoint_address)
export("redis-reader-endpoint", cluster.reader_endpoint_address)
ssm.Parameter("saleor-redis-connection-string", name=redis_parameter_name, type="SecureString",
    description="Redis connection string for Saleor Core in CACHE_URL format",
    value=Output.concat("redis://", cluster.primary_endpoint_address, ":6379"),
    tags={**general_tags, "Name": "saleor-redis-cluster-connection-string"})
""",
        "rds.py": """from pulumi import Output, ResourceOptions, export
from pulumi_aws import ec2, rds, ssm

from settings import (db_name, general_tags, postgres_instance_size, private_cidrs, sql_parameter_name, sql_password,
                      sql_user)
from subnet_groups import postgresql_subnet_group
from vpc import vpc

group = ec2.SecurityGroup("demo-sql-security-group", description="PostgreSQL security group", vpc_id=vpc.id,
                          tags={**general_tags, "Name": "demo-sql-security-group"})
ec2.SecurityGroupRule("demo-sql-security-group-inbound", type="ingress", from_port=5432, to_port=5432, protocol="tcp",
                      cidr_blocks=private_cidrs, security_group_id=group.id)
ec2.SecurityGroupRule("demo-sql-security-group-outbound", type="egress", to_port=0, protocol="-1", from_port=0,
                      cidr_blocks=["0.0.0.0/0"], security_group_id=group.id)
database = rds.Instance("demo-saleor-core-sql-cluster", db_subnet_group_name=postgresql_subnet_group.name,
    vpc_security_group_ids=[group.id], storage_encrypted=True, allocated_storage=20, storage_type="gp3",
    identifier="saleor", multi_az=True, engine="postgres", engine_version="13.7", port=5432,
    performance_insights_enabled=False, network_type="IPV4", instance_class=postgres_instance_size,
    skip_final_snapshot=True, iam_database_authentication_enabled=False, auto_minor_version_upgrade=False,
    apply_immediately=True, username=sql_user, password=sql_password, db_name=db_name,
    tags={**general_tags, "Name": "demo-saleor-core-sql-cluster"}, opts=ResourceOptions(delete_before_replace=True))
export("postgres-endpoint", database.endpoint)
ssm.Parameter("saleor-sql-connection-string", name=sql_parameter_name, type="SecureString",
    description="PostgreSQL connection string for Saleor Core in DATABASE_URL format",
    value=Output.concat("postgres://", sql_user, ":", sql_password, "@", database.endpoint, "/", db_name),
    tags={**general_tags, "Name": "saleor-sql-cluster-connection-string"})
""",
    },
    main='''"""The network and data tier of the web store (eks.py and s3.py are not reproduced)."""
import elasticache
import rds
import settings
import subnet_groups
import vpc
import vpc_endpoints
''',
    types={
        "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:ec2/eip:Eip": 2,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/natGateway:NatGateway": 2,
        "aws:ec2/route:Route": 8,
        "aws:ec2/routeTable:RouteTable": 8,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 8,
        "aws:ec2/securityGroup:SecurityGroup": 4,
        "aws:ec2/securityGroupRule:SecurityGroupRule": 6,
        "aws:ec2/subnet:Subnet": 8,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 8,
        "aws:elasticache/replicationGroup:ReplicationGroup": 1,
        "aws:elasticache/subnetGroup:SubnetGroup": 1,
        "aws:rds/instance:Instance": 1,
        "aws:rds/subnetGroup:SubnetGroup": 1,
        "aws:ssm/parameter:Parameter": 2,
    },
)

FARGATE_HTTPS = "alendwahida/iac-deploy-ecs-aws-with-pulumi-py@2c6a76cfd4b724ff384b1c8916a425feef0acca5"

# Two Fargate services behind one ALB: an HTTPS listener whose certificate ARN and host-header rules are `secure:`
# stack values, service auto scaling (appautoscaling Target and target-tracking Policies), settings and resources in
# folders without `__init__.py` (namespace packages), a boolean given as the string "true", and an egress rule written
# with the ingress Args class.
PROGRAMS["fargate-https-autoscaling"] = PublicProgram(
    repo=FARGATE_HTTPS,
    source="{__main__,vars/varProjectDev,networking/vpcDev,iam/iamRoleDev,elb/elbDev}.py",
    name="aws-fargate-deployment-py",
    config={
        "aws-fargate-deployment-py:LB_HOST_NGINX_DEV": {"secure": "v1:AAAA"},
        "aws-fargate-deployment-py:LB_HOST_TUTUM_DEV": {"secure": "v1:AAAA"},
        "aws-fargate-deployment-py:LB_SSL_ARN_DEV": {"secure": "v1:AAAA"},
    },
    files={
        "vars/varProjectDev.py": """import pulumi

config = pulumi.Config()
PROJECT_NETWORK_NAME = "NetworkingDev"
PROJECT_ENVIRONMENT = "Development"
PROJECT_COST_NAME = "AWS"
PROJECT_ECS_NAME = "ECS-Dev"
ECS_PROJECT_TUTUM = "ProjectTutum"
ECS_IMAGE_TUTUM = "tutum/hello-world:latest"
ECS_CONTAINER_PORT_TUTUM = 80
ECS_SVC_DESIRED_TASK_TUTUM = 2
ECS_TASK_CPU_TUTUM = "256"
ECS_TASK_MEM_TUTUM = "512"
ECS_PROJECT_NGINX = "ProjectNginx"
ECS_IMAGE_NGINX = "nginx:latest"
ECS_CONTAINER_PORT_NGINX = 80
ECS_SVC_DESIRED_TASK_NGINX = 1
ECS_TASK_CPU_NGINX = "256"
ECS_TASK_MEM_NGINX = "512"
LB_SSL_ARN_DEV = config.require_secret("LB_SSL_ARN_DEV")  # an ACM certificate ARN
LB_HOST_TUTUM_DEV = config.require_secret("LB_HOST_TUTUM_DEV")
LB_HOST_NGINX_DEV = config.require_secret("LB_HOST_NGINX_DEV")
TAGS = {"Cost": PROJECT_COST_NAME, "Environment": PROJECT_ENVIRONMENT}
""",
        "networking/vpcDev.py": """import pulumi_aws as aws

import vars.varProjectDev as var


def tags(kind):
    return {"Name": f"{kind}-{var.PROJECT_NETWORK_NAME}-{var.PROJECT_ENVIRONMENT}", **var.TAGS}


infradev = aws.ec2.Vpc("vpc-dev", cidr_block="10.0.0.0/16", instance_tenancy="default", enable_dns_hostnames=True,
                       tags=tags("vpc"))
igwdev = aws.ec2.InternetGateway("igw-dev", vpc_id=infradev.id, tags=tags("igw"))
public, private = {}, {}
for n, zone in enumerate("abc", start=1):
    public[zone] = aws.ec2.Subnet(f"subnet-public-{zone.upper()}", vpc_id=infradev.id,
        availability_zone=f"us-east-1{zone}", map_public_ip_on_launch=True, cidr_block=f"10.0.{n}.0/24",
        tags=tags(f"subnet-public-{zone}"))
    private[zone] = aws.ec2.Subnet(f"subnet-private-{zone.upper()}", vpc_id=infradev.id,
        availability_zone=f"us-east-1{zone}", cidr_block=f"10.0.{10 + n}.0/24", tags=tags(f"subnet-private-{zone}"))
subnetPublicA, subnetPublicB = public["a"], public["b"]
routeTablePublic = aws.ec2.RouteTable("rtb-public", vpc_id=infradev.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igwdev.id)], tags=tags("rtb-public"))
routeTablePrivate = aws.ec2.RouteTable("rtb-private", vpc_id=infradev.id, routes=[], tags=tags("rtb-private"))
# The original passes the Subnet resources themselves where ids are expected.
for zone in "ABC":
    aws.ec2.RouteTableAssociation(f"rtb-public-asoc-{zone}", route_table_id=routeTablePublic.id,
                                  subnet_id=public[zone.lower()])
for zone in "ABC":
    aws.ec2.RouteTableAssociation(f"rtb-private-asoc-{zone}", route_table_id=routeTablePrivate.id,
                                  subnet_id=private[zone.lower()])
""",
        "iam/iamRoleDev.py": """import json

import pulumi_aws as aws

import vars.varProjectDev as var

role = aws.iam.Role("task-exec-role-dev",
    tags={"Name": f"role-{var.PROJECT_ECS_NAME}-{var.PROJECT_ENVIRONMENT}", **var.TAGS},
    assume_role_policy=json.dumps({"Version": "2008-10-17", "Statement": [{"Sid": "", "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("task-exec-policy-dev", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
""",
        "elb/elbDev.py": """import pulumi_aws as aws
import pulumi_awsx as awsx  # noqa: F401 (imported and unused, as in the original)

import networking.vpcDev as vpcdev
import vars.varProjectDev as var

TAGS = {"Name": f"elb-{var.PROJECT_ECS_NAME}-{var.PROJECT_ENVIRONMENT}", **var.TAGS}
# The original's egress rule is written with the ingress Args class.
group = aws.ec2.SecurityGroup("secgroup-webapp-dev", vpc_id=vpcdev.infradev.id, description="HTTP and HTTPS Access Dev",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"]),
             aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
    tags=TAGS)
alb = aws.lb.LoadBalancer("lb-webapp-dev", security_groups=[group.id],
                          subnets=[vpcdev.subnetPublicA.id, vpcdev.subnetPublicB.id], tags=TAGS)
tg_tutum = aws.lb.TargetGroup("tg-webapp-dev", port=80, protocol="HTTP", target_type="ip", vpc_id=vpcdev.infradev.id,
                              tags=TAGS)
tg_nginx = aws.lb.TargetGroup("tg-nginx-dev", port=80, protocol="HTTP", target_type="ip", vpc_id=vpcdev.infradev.id,
                              tags=TAGS)


def fixed(body):
    response = aws.lb.ListenerDefaultActionFixedResponseArgs(content_type="text/plain", message_body=body,
                                                             status_code="200")
    return [aws.lb.ListenerDefaultActionArgs(type="fixed-response", fixed_response=response)]


listenerhttp = aws.lb.Listener("http-dev", load_balancer_arn=alb.arn, port=80, protocol="HTTP",
                               default_actions=fixed("HTTP"), tags=TAGS)
listenerhttps = aws.lb.Listener("https-dev", load_balancer_arn=alb.arn, port=443, protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-2016-08", certificate_arn=var.LB_SSL_ARN_DEV, default_actions=fixed("HTTPS"),
    tags=TAGS)
for name, group_, host in [("listenerRuleHttpsTutum", tg_tutum, var.LB_HOST_TUTUM_DEV),
                           ("listenerRuleHttpsNginx", tg_nginx, var.LB_HOST_NGINX_DEV)]:
    aws.lb.ListenerRule(name, listener_arn=listenerhttps.arn,
        actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=group_.arn)],
        conditions=[aws.lb.ListenerRuleConditionArgs(
            host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=[host]))])
""",
    },
    main="""import json

import pulumi
import pulumi_aws as aws
from pulumi import Output

import elb.elbDev as elbdev
import iam.iamRoleDev as iam
import networking.vpcDev as vpcdev
import vars.varProjectDev as var

TAGS = {"Name": f"ecs-{var.PROJECT_ECS_NAME}-{var.PROJECT_ENVIRONMENT}", **var.TAGS}
cluster = aws.ecs.Cluster(var.PROJECT_ECS_NAME, name=var.PROJECT_ECS_NAME,
    settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="disabled")], tags=TAGS)


def project(name, image, port, desired, cpu, memory, environment, target_group, metrics):
    task = aws.ecs.TaskDefinition(f"{name}-task-dev", family=f"{name}-task-definition", cpu=cpu, memory=memory,
        network_mode="awsvpc", requires_compatibilities=["FARGATE"], execution_role_arn=iam.role.arn, tags=TAGS,
        container_definitions=json.dumps([{"name": f"{name}-dev", "image": image,
            "portMappings": [{"containerPort": port, "hostPort": 80, "protocol": "tcp"}],
            "environment": environment}]))
    service = aws.ecs.Service(f"{name}-svc-dev", cluster=cluster.arn, name=f"{name}-svc-dev", desired_count=desired,
        launch_type="FARGATE", task_definition=task.arn, tags=TAGS,
        network_configuration={"assign_public_ip": "true",
                               "subnets": [vpcdev.subnetPublicA.id, vpcdev.subnetPublicB.id],
                               "security_groups": [elbdev.group.id]},
        load_balancers=[{"target_group_arn": target_group.arn, "container_name": f"{name}-dev",
                         "container_port": port}],
        opts=pulumi.ResourceOptions(depends_on=[elbdev.listenerhttp, elbdev.listenerhttps]))
    target = aws.appautoscaling.Target(f"{name}-ecs-target-dev", max_capacity=4, min_capacity=1,
        resource_id=Output.all(cluster.name, service.name).apply(lambda a: f"service/{a[0]}/{a[1]}"),
        scalable_dimension="ecs:service:DesiredCount", service_namespace="ecs")
    for short, metric, value in metrics:
        aws.appautoscaling.Policy(f"{name}-{short}-ecs-policy-dev", name=f"{name}-{short}-ecs-policy-dev",
            policy_type="TargetTrackingScaling", resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension, service_namespace=target.service_namespace,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=metric),
                target_value=value, scale_in_cooldown=100, scale_out_cooldown=20))


MEMORY = ("mem", "ECSServiceAverageMemoryUtilization", 60)
project(var.ECS_PROJECT_TUTUM, var.ECS_IMAGE_TUTUM, var.ECS_CONTAINER_PORT_TUTUM, var.ECS_SVC_DESIRED_TASK_TUTUM,
        var.ECS_TASK_CPU_TUTUM, var.ECS_TASK_MEM_TUTUM,
        [{"name": "USERNAME", "value": "USERUSER"}, {"name": "PASSWORD", "value": "PASSWORD"}], elbdev.tg_tutum,
        [MEMORY])
project(var.ECS_PROJECT_NGINX, var.ECS_IMAGE_NGINX, var.ECS_CONTAINER_PORT_NGINX, var.ECS_SVC_DESIRED_TASK_NGINX,
        var.ECS_TASK_CPU_NGINX, var.ECS_TASK_MEM_NGINX, [{"name": "USERNAME", "value": "USERUSER"}], elbdev.tg_nginx,
        [MEMORY, ("cpu", "ECSServiceAverageCPUUtilization", 80)])
pulumi.export("URL: ", elbdev.alb.dns_name)
""",
    types={
        "aws:appautoscaling/policy:Policy": 3,
        "aws:appautoscaling/target:Target": 2,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/routeTable:RouteTable": 2,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:ec2/subnet:Subnet": 6,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ecs/cluster:Cluster": 1,
        "aws:ecs/service:Service": 2,
        "aws:ecs/taskDefinition:TaskDefinition": 2,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:lb/listener:Listener": 2,
        "aws:lb/listenerRule:ListenerRule": 2,
        "aws:lb/loadBalancer:LoadBalancer": 1,
        "aws:lb/targetGroup:TargetGroup": 2,
    },
)

BASTION = "JManzur/aws-pulumi-python-linux-bastion@a86fcc1baa03ac0504f9a98af87b9a78421a3359"

# A bastion host in another stack's VPC: `require_output` of a StackReference feeding a security group's ingress CIDR
# and an auto scaling group's subnets (unknown offline), components whose children are created without parent=self,
# a user-data script read from a file and rewritten at program time, and an ASG instance refresh.
PROGRAMS["bastion-stackreference-asg"] = PublicProgram(
    repo=BASTION,
    source="{__main__,objects}.py",
    name="bastion",
    config={"bastion:common_tags": {"Owner": "JManzur", "Environment": "Dev", "ManagedBy": "Pulumi"}},
    files={
        "objects.py": '''import base64
import json

from pulumi import ComponentResource, ResourceOptions
from pulumi_aws.autoscaling import Group
from pulumi_aws.ec2 import LaunchTemplate, SecurityGroup, SecurityGroupEgressArgs, SecurityGroupIngressArgs, get_ami
from pulumi_aws.iam import InstanceProfile, Role, RolePolicyAttachment


class BastionInstanceProfile(ComponentResource):
    """The original creates its children without parent=self: they are top-level resources."""

    def __init__(self, name, name_prefix, common_tags, opts: ResourceOptions = None):
        super().__init__("bastion:profile", name, {}, opts)
        role = Role(f"{name_prefix}-instance-profile-role", name=f"{name_prefix}-instance-profile-role",
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole",
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}]}), tags=common_tags)
        RolePolicyAttachment(f"{name_prefix}-role-policy-attachment", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
        profile = InstanceProfile(f"{name_prefix}-instance-profile-role", name=f"{name_prefix}-instance-profile-role",
                                  role=role.name, tags=common_tags)
        self.arn = profile.arn
        self.register_outputs({"arn": self.arn})


class BastionHost(ComponentResource):
    def __init__(self, name, name_prefix, instance_profile_arn, vpc_id, vpc_cidr, subnets, instance_type,
                 k8s_version, common_tags, opts: ResourceOptions = None):
        super().__init__("k8s-bastion:host", name, {}, opts)
        group = SecurityGroup(f"{name_prefix}-security-group", vpc_id=vpc_id, tags=common_tags,
            description="Allow all inbound traffic from VPC CIDR and all outbound traffic to the internet",
            ingress=[SecurityGroupIngressArgs(from_port=0, to_port=0, protocol="-1", cidr_blocks=[vpc_cidr],
                                              description="Allow all inbound traffic from VPC CIDR")],
            egress=[SecurityGroupEgressArgs(from_port=0, to_port=0, protocol="-1", cidr_blocks=["0.0.0.0/0"],
                                            description="Allow all outbound traffic to the internet")])
        with open("./scripts/user_data.sh", "r") as script:
            content = script.read().replace("K8S_VERSION=$1", 'K8S_VERSION="{}"'.format(k8s_version))
        ami = get_ami(filters=[{"name": "name", "values": ["al2023-ami-2023*-x86_64"]},
                               {"name": "state", "values": ["available"]}], owners=["amazon"], most_recent=True)
        template = LaunchTemplate(f"{name_prefix}-launch-template", name_prefix=name_prefix, image_id=ami.id,
            vpc_security_group_ids=[group.id], instance_type=instance_type,
            user_data=base64.b64encode(content.encode("utf-8")).decode("utf-8"),
            iam_instance_profile={"arn": instance_profile_arn}, tags=common_tags)
        asg = Group(f"{name_prefix}-asg", name=name_prefix + "-asg", vpc_zone_identifiers=subnets,
            health_check_type="EC2", desired_capacity=1, max_size=2, min_size=1,
            launch_template={"id": template.id, "version": "$Latest"},
            tags=[{"key": "Name", "value": name_prefix + "-host", "propagate_at_launch": True},
                  *({"key": k, "value": common_tags[k], "propagate_at_launch": True}
                    for k in ("Environment", "Owner", "ManagedBy"))],
            instance_refresh={"strategy": "Rolling", "preferences": {"min_healthy_percentage": 100},
                              "triggers": ["tag"]})
        self.launch_template_id = template.id
        self.asg_name = asg.name
        self.register_outputs({"launch_template_id": self.launch_template_id, "asg_name": self.asg_name})
''',
        "scripts/user_data.sh": """#!/bin/bash
K8S_VERSION=$1
yum update -y
curl -LO "https://dl.k8s.io/release/v${K8S_VERSION}/bin/linux/amd64/kubectl"
""",
    },
    main="""from pulumi import Config, StackReference, export, get_stack

from objects import BastionHost, BastionInstanceProfile

config = Config()
common_tags = config.require_object("common_tags")
name_prefix = config.get("name_prefix") or "k8s-bastion"
k8s_version = config.get("k8s_version") or "1.28.8"
instance_type = config.get("instance_type") or "t2.micro"
vpc_stack_name = config.get("vpc_stack_name") or "vpc"
network = StackReference(f"organization/{vpc_stack_name}/{get_stack()}")
profile = BastionInstanceProfile("k8s-bastion-instance-profile", name_prefix=name_prefix, common_tags=common_tags)
bastion = BastionHost("k8s-bastion-host", name_prefix=name_prefix, instance_profile_arn=profile.arn,
                      vpc_id=network.require_output("vpc_id"), vpc_cidr=network.require_output("vpc_cidr"),
                      subnets=network.require_output("private_subnets"), instance_type=instance_type,
                      k8s_version=k8s_version, common_tags=common_tags)
export("launch_template_id", bastion.launch_template_id)
export("asg_name", bastion.asg_name)
""",
    types={
        "aws:autoscaling/group:Group": 1,
        "aws:ec2/launchTemplate:LaunchTemplate": 1,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:iam/instanceProfile:InstanceProfile": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "bastion:profile": 1,
        "k8s-bastion:host": 1,
    },
    reads=[("pulumi:pulumi:StackReference", "organization/vpc/dev")],
)

# Fifth round (issue 11 §1-§4): streaming and analytics (Pinpoint, Firehose, Glue, Athena), budgets, a GitHub OIDC
# trust built from the provider's outputs, an aws-native Express state machine, CloudFront with an origin access
# control and a CLOUDFRONT-scope WAF under an explicit provider, and a SageMaker endpoint component.
TELEMETRY = "CharlesSieg/pul-py-config-telemetry-pipeline@8de3660c138c913fe86359b75b91f9eccd413c11"

# A telemetry pipeline in one module per service: a Pinpoint event stream into a Firehose delivery stream (whose ARN
# a role policy names), S3 buckets with their V2 companions, a Glue crawler over the bucket and an Athena workgroup
# with named queries, all from a config dict the program builds from `pulumi.Config` (`get_int` with defaults).
PROGRAMS["telemetry-pinpoint-glue-athena"] = PublicProgram(
    repo=TELEMETRY,
    source="{__main__,config,s3,iam,kinesis,pinpoint,glue,athena}.py",
    name="telemetry-pipeline",
    config={
        "telemetry-pipeline:project_name": "myapp",
        "telemetry-pipeline:environment": "dev",
        "telemetry-pipeline:firehose_buffer_size_mb": "5",
        "telemetry-pipeline:firehose_buffer_interval_seconds": "300",
        "telemetry-pipeline:s3_lifecycle_ia_days": "30",
        "telemetry-pipeline:s3_lifecycle_expiration_days": "90",
        "telemetry-pipeline:glue_crawler_schedule": "cron(0 */6 * * ? *)",
    },
    files={
        "config.py": """import pulumi


def get_config():
    cfg = pulumi.Config()
    project = cfg.require("project_name")
    environment = cfg.get("environment") or "dev"
    return {
        "project_name": project, "environment": environment,
        "region": pulumi.Config("aws").get("region") or "us-east-1",
        "name_prefix": f"{project}-{environment}",
        "firehose_buffer_size_mb": cfg.get_int("firehose_buffer_size_mb") or 5,
        "firehose_buffer_interval_seconds": cfg.get_int("firehose_buffer_interval_seconds") or 300,
        "s3_lifecycle_ia_days": cfg.get_int("s3_lifecycle_ia_days") or 30,
        "s3_lifecycle_expiration_days": cfg.get_int("s3_lifecycle_expiration_days") or 90,
        "glue_crawler_schedule": cfg.get("glue_crawler_schedule") or "cron(0 */6 * * ? *)",
        "common_tags": {"Project": project, "Environment": environment, "ManagedBy": "pulumi"},
    }
""",
        "s3.py": """import pulumi_aws as aws

KMS_BY_DEFAULT = [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}, "bucket_key_enabled": True}]


def _private(name, bucket):
    aws.s3.BucketServerSideEncryptionConfigurationV2(f"{name}-encryption", bucket=bucket.id, rules=KMS_BY_DEFAULT)
    aws.s3.BucketPublicAccessBlock(f"{name}-public-access-block", bucket=bucket.id, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)


def create_buckets(config):
    prefix, tags = config["name_prefix"], config["common_tags"]
    telemetry = aws.s3.BucketV2("telemetry", bucket=f"{prefix}-telemetry", tags=tags)
    aws.s3.BucketVersioningV2("telemetry-versioning", bucket=telemetry.id,
                              versioning_configuration={"status": "Enabled"})
    _private("telemetry", telemetry)
    aws.s3.BucketLifecycleConfigurationV2("telemetry-lifecycle", bucket=telemetry.id, rules=[{
        "id": "telemetry-lifecycle", "status": "Enabled", "filter": {"prefix": "data/"},
        "transitions": [{"days": config["s3_lifecycle_ia_days"], "storage_class": "STANDARD_IA"}],
        "expiration": {"days": config["s3_lifecycle_expiration_days"]}}])
    results = aws.s3.BucketV2("athena-results", bucket=f"{prefix}-athena-results", tags=tags)
    _private("athena-results", results)
    aws.s3.BucketLifecycleConfigurationV2("athena-results-lifecycle", bucket=results.id, rules=[{
        "id": "expire-query-results", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 7}}])
    return telemetry, results
""",
        "iam.py": """import json

import pulumi_aws as aws


def _service_role(name, role_name, service, tags, account_id=None):
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if account_id:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return aws.iam.Role(name, name=role_name, tags=tags,
                        assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def create_firehose_s3_role(config, bucket):
    prefix = config["name_prefix"]
    role = _service_role("firehose-s3-role", f"{prefix}-firehose-s3", "firehose.amazonaws.com",
                         config["common_tags"], aws.get_caller_identity().account_id)
    aws.iam.RolePolicy("firehose-s3-policy", name=f"{prefix}-firehose-s3", role=role.id,
        policy=bucket.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Resource": [arn, f"{arn}/*"],
            "Action": ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
                       "s3:ListBucketMultipartUploads", "s3:PutObject"]}]})))
    return role


def create_pinpoint_firehose_role(config, stream):
    prefix = config["name_prefix"]
    role = _service_role("pinpoint-firehose-role", f"{prefix}-pinpoint-firehose", "pinpoint.amazonaws.com",
                         config["common_tags"], aws.get_caller_identity().account_id)
    aws.iam.RolePolicy("pinpoint-firehose-policy", name=f"{prefix}-pinpoint-firehose", role=role.id,
        policy=stream.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"], "Resource": arn}]})))
    return role


def create_glue_crawler_role(config, bucket):
    prefix = config["name_prefix"]
    role = _service_role("glue-crawler-role", f"{prefix}-glue-crawler", "glue.amazonaws.com", config["common_tags"])
    aws.iam.RolePolicyAttachment("glue-service-policy", role=role.name,
                                 policy_arn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
    aws.iam.RolePolicy("glue-s3-policy", name=f"{prefix}-glue-s3", role=role.id,
        policy=bucket.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [arn, f"{arn}/*"]}]})))
    return role
""",
        "kinesis.py": """import pulumi_aws as aws

DATE = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"


def create_firehose(config, bucket, role):
    prefix, tags = config["name_prefix"], config["common_tags"]
    group = aws.cloudwatch.LogGroup("firehose-log-group", name=f"/aws/kinesisfirehose/{prefix}-telemetry",
                                    retention_in_days=14, tags=tags)
    stream = aws.cloudwatch.LogStream("firehose-log-stream", name="S3Delivery", log_group_name=group.name)
    return aws.kinesis.FirehoseDeliveryStream("telemetry-firehose", name=f"{prefix}-telemetry",
        destination="extended_s3", tags=tags, extended_s3_configuration={
            "role_arn": role.arn, "bucket_arn": bucket.arn, "prefix": "data/" + DATE,
            "error_output_prefix": "errors/" + DATE + "!{firehose:error-output-type}/",
            "buffering_size": config["firehose_buffer_size_mb"],
            "buffering_interval": config["firehose_buffer_interval_seconds"], "compression_format": "GZIP",
            "cloudwatch_logging_options": {"enabled": True, "log_group_name": group.name,
                                           "log_stream_name": stream.name}})
""",
        "pinpoint.py": """import pulumi_aws as aws


def create_pinpoint(config, stream, role):
    app = aws.pinpoint.App("telemetry-app", name=f"{config['name_prefix']}-telemetry", tags=config["common_tags"])
    aws.pinpoint.EventStream("telemetry-event-stream", application_id=app.application_id,
                             destination_stream_arn=stream.arn, role_arn=role.arn)
    return app
""",
        "glue.py": """import json

import pulumi_aws as aws


def create_glue(config, bucket, role):
    prefix, tags = config["name_prefix"], config["common_tags"]
    database = aws.glue.CatalogDatabase("telemetry-database", name=prefix.replace("-", "_") + "_telemetry",
                                        tags=tags)
    crawler = aws.glue.Crawler("telemetry-crawler", database_name=database.name, name=f"{prefix}-telemetry",
        role=role.arn, schedule=config["glue_crawler_schedule"], tags=tags,
        s3_targets=[{"path": bucket.id.apply(lambda id: f"s3://{id}/data/")}],
        schema_change_policy={"delete_behavior": "LOG", "update_behavior": "UPDATE_IN_DATABASE"},
        recrawl_policy={"recrawl_behavior": "CRAWL_NEW_FOLDERS_ONLY"},
        configuration=json.dumps({"Version": 1.0, "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"}}))
    return database, crawler
""",
        "athena.py": """import pulumi_aws as aws

QUERIES = {
    "events-by-day": "SELECT year, month, day, COUNT(*) as event_count FROM {db}.data GROUP BY year, month, day "
                     "ORDER BY year DESC, month DESC, day DESC LIMIT 30;",
    "top-event-types": "SELECT event_type, COUNT(*) as event_count FROM {db}.data GROUP BY event_type "
                       "ORDER BY event_count DESC LIMIT 20;",
}


def create_athena(config, results, database):
    prefix = config["name_prefix"]
    workgroup = aws.athena.Workgroup("telemetry-workgroup", name=f"{prefix}-telemetry", tags=config["common_tags"],
        configuration={"enforce_workgroup_configuration": True, "publish_cloudwatch_metrics_enabled": True,
                       "bytes_scanned_cutoff_per_query": 1073741824,
                       "result_configuration": {
                           "output_location": results.id.apply(lambda id: f"s3://{id}/results/"),
                           "encryption_configuration": {"encryption_option": "SSE_KMS"}}})
    for key, text in QUERIES.items():
        aws.athena.NamedQuery(key, name=f"{prefix}-{key}", workgroup=workgroup.id, database=database.name,
                              query=database.name.apply(lambda db, text=text: text.format(db=db)))
    return workgroup
""",
    },
    main="""import pulumi

from athena import create_athena
from config import get_config
from glue import create_glue
from iam import create_firehose_s3_role, create_glue_crawler_role, create_pinpoint_firehose_role
from kinesis import create_firehose
from pinpoint import create_pinpoint
from s3 import create_buckets

config = get_config()
telemetry_bucket, athena_results_bucket = create_buckets(config)
firehose = create_firehose(config, telemetry_bucket, create_firehose_s3_role(config, telemetry_bucket))
app = create_pinpoint(config, firehose, create_pinpoint_firehose_role(config, firehose))
database, crawler = create_glue(config, telemetry_bucket, create_glue_crawler_role(config, telemetry_bucket))
workgroup = create_athena(config, athena_results_bucket, database)
pulumi.export("pinpoint_application_id", app.application_id)
pulumi.export("telemetry_bucket_name", telemetry_bucket.id)
pulumi.export("telemetry_bucket_arn", telemetry_bucket.arn)
pulumi.export("athena_results_bucket_name", athena_results_bucket.id)
pulumi.export("firehose_delivery_stream_arn", firehose.arn)
pulumi.export("glue_database_name", database.name)
pulumi.export("athena_workgroup_name", workgroup.name)
""",
    types={
        "aws:athena/namedQuery:NamedQuery": 2,
        "aws:athena/workgroup:Workgroup": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:cloudwatch/logStream:LogStream": 1,
        "aws:glue/catalogDatabase:CatalogDatabase": 1,
        "aws:glue/crawler:Crawler": 1,
        "aws:iam/role:Role": 3,
        "aws:iam/rolePolicy:RolePolicy": 3,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": 1,
        "aws:pinpoint/app:App": 1,
        "aws:pinpoint/eventStream:EventStream": 1,
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": 2,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": 2,
        "aws:s3/bucketV2:BucketV2": 2,
        "aws:s3/bucketVersioningV2:BucketVersioningV2": 1,
    },
)

BUDGET_ALERTS = "Wayasay/AWS-Budget-Alert-System-Pulumi-Python-Template@efec6d9b049a4c89e48383e022f38ddf8bff5eb2"

PROGRAMS["budget-alerts"] = PublicProgram(
    repo=BUDGET_ALERTS,
    source="__main__.py",
    name="budget-alerts",
    config={"budget-alerts:monthly_budget_usd": "50", "budget-alerts:alert_email": "you@example.com"},
    main="""import pulumi
import pulumi_aws as aws

config = pulumi.Config()
monthly_limit = config.require("monthly_budget_usd")
alert_email = config.require("alert_email")
project = pulumi.get_project()
tags = {"managed-by": "pulumi", "project": project}

topic = aws.sns.Topic(f"{project}-billing-alerts", display_name="AWS Budget Alerts", tags=tags)
aws.sns.TopicSubscription(f"{project}-email-sub", topic=topic.arn, protocol="email", endpoint=alert_email)


def alert(kind, percent):
    return aws.budgets.BudgetNotificationArgs(comparison_operator="GREATER_THAN", notification_type=kind,
        threshold=percent, threshold_type="PERCENTAGE", subscriber_sns_topic_arns=[topic.arn])


budget = aws.budgets.Budget(f"{project}-monthly-budget", budget_type="COST", limit_amount=monthly_limit,
    limit_unit="USD", time_unit="MONTHLY", tags=tags,
    notifications=[alert("ACTUAL", 80), alert("ACTUAL", 100), alert("FORECASTED", 100)])
pulumi.export("sns_topic_arn", topic.arn)
pulumi.export("budget_name", budget.name)
pulumi.export("alert_email", alert_email)
pulumi.export("monthly_limit", f"${monthly_limit} USD")
""",
    types={
        "aws:budgets/budget:Budget": 1,
        "aws:sns/topic:Topic": 1,
        "aws:sns/topicSubscription:TopicSubscription": 1,
    },
)

GITHUB_OIDC = "nizarakbarm/oidc-github-pulumi-py@227c02b945ef2216ac724a1353f6f54d484fbe0f"

# The original reads the thumbprint from `openssl s_client` against GitHub at program time (network, pyOpenSSL):
# here it is the value that command printed, as a constant.
PROGRAMS["github-oidc-role"] = PublicProgram(
    repo=GITHUB_OIDC,
    source="__main__.py",
    name="oidc-github",
    main="""import json

import pulumi
import pulumi_aws as aws
from pulumi_aws import iam

audience = "sts.amazonaws.com"
idp_url = "https://token.actions.githubusercontent.com"
identity = aws.get_caller_identity()
arn = f"arn:aws:iam:{identity.account_id}:oidc-provider/token.actions.githubusercontent.com"
thumbprint = "6938fd4d98bab03faadb97b34396831e3780aea1"

provider = iam.OpenIdConnectProvider("oidcProvider", client_id_lists=[audience], thumbprint_lists=[thumbprint],
                                     url=idp_url)


def trust(args):
    url, provider_arn, aud = args
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {f"{url}:sub": "repo:OWNER/REPOSITORY:environment:NAME"},
                      "StringEquals": {f"{url}:aud": aud}}}]})


role = iam.Role("oidcProviderRole",
                assume_role_policy=pulumi.Output.all(provider.url, provider.arn, audience).apply(trust))
region = aws.get_region()
pulumi.export("arn", role.arn)
pulumi.export("role_name", role.name)
pulumi.export("region", region.name)
""",
    types={
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
        "aws:iam/role:Role": 1,
    },
)

DOCS = "pulumi/docs@5cdf4763ad859130232f02ce0d4c782a576bd294"

# An aws-native Express state machine whose definition holds a pulumi-aws function's ARN through
# `Output.json_dumps`, roles given `managed_policy_arns` (one through the SDK's ManagedPolicy enum).
PROGRAMS["sfn-express-native"] = PublicProgram(
    repo=DOCS,
    source="static/programs/aws-lambda-stepfunctions-jsonhelper-python/{__main__,function/handler}.py",
    name="aws-lambda-stepfunctions-jsonhelper-python",
    files={
        "function/handler.py": """def handler(event, context):
    return {"statusCode": 200, "body": "Hello from Lambda"}
"""
    },
    main="""import json

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native


def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}]})


lambda_role = aws.iam.Role("lambda-role", assume_role_policy=trust("lambda.amazonaws.com"),
                           managed_policy_arns=[aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE])
sfn_role = aws.iam.Role("sfn-role", assume_role_policy=trust("states.amazonaws.com"),
                        managed_policy_arns=["arn:aws:iam::aws:policy/AWSLambda_FullAccess"])
hello = aws.lambda_.Function("hello-function", runtime="python3.9", handler="handler.handler", role=lambda_role.arn,
                             code=pulumi.FileArchive("./function"))
aws_native.stepfunctions.StateMachine("stateMachine", role_arn=sfn_role.arn, state_machine_type="EXPRESS",
    definition_string=pulumi.Output.json_dumps({
        "Comment": "A Hello World example of the Amazon States Language using an AWS Lambda Function",
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Task", "Resource": hello.arn, "Next": True}}}))
""",
    types={
        "aws-native:stepfunctions:StateMachine": 1,
        "aws:iam/role:Role": 2,
        "aws:lambda/function:Function": 1,
    },
)

CLOUD_MODULE = "0xChaser/cloud_module@177129e7e2ecb7a5c01c99b9410e782a913a66ca"

# A CloudFront distribution of a private bucket through an origin access control, guarded by a CLOUDFRONT-scope
# web ACL created under an explicit us-east-1 provider while the stack is in eu-west-3; an HTTP API in front of a
# function in private subnets; an RDS PostgreSQL instance whose password the program draws with `secrets.choice`
# (here from a seeded generator, so two runs agree) and also writes into a Secrets Manager secret; a bucket
# policy built by `Output.all(...).apply(json.dumps)` naming the distribution with an `AWS:SourceArn` condition.
PROGRAMS["cloudfront-oac-waf-rds"] = PublicProgram(
    repo=CLOUD_MODULE,
    source="{__main__,infra/vpc,infra/s3,infra/secrets,infra/iam,infra/rds,infra/lambda_function,"
    "infra/api_gateway,infra/waf,infra/cloudfront,infra/cloudwatch}.py",
    name="cloud-module",
    config={
        "aws:region": "eu-west-3",
        "cloud-module:environment": "dev",
        "cloud-module:db_name": "appdb",
        "cloud-module:db_username": "dbadmin",
    },
    files={
        "infra/__init__.py": "",
        "infra/vpc.py": """import pulumi
import pulumi_aws as aws

environment = pulumi.Config().get("environment") or "dev"


def _tags(name, **more):
    return {"Name": name, "Environment": environment, **more}


def create_vpc():
    vpc = aws.ec2.Vpc(f"main-vpc-{environment}", cidr_block="10.0.0.0/16", enable_dns_hostnames=True,
                      enable_dns_support=True, tags=_tags(f"main-vpc-{environment}"))
    igw = aws.ec2.InternetGateway(f"main-igw-{environment}", vpc_id=vpc.id, tags=_tags(f"main-igw-{environment}"))
    zones = aws.get_availability_zones(state="available")
    public, private = [], []
    for kind, offset, subnets in (("public", 0, public), ("private", 10, private)):
        for i, zone in enumerate(zones.names[:2]):
            name = f"{kind}-subnet-{i}-{environment}"
            subnets.append(aws.ec2.Subnet(name, vpc_id=vpc.id, cidr_block=f"10.0.{i + offset}.0/24",
                availability_zone=zone, map_public_ip_on_launch=kind == "public", tags=_tags(name, Type=kind)))
    public_rt = aws.ec2.RouteTable(f"public-rt-{environment}", vpc_id=vpc.id, tags=_tags(f"public-rt-{environment}"),
        routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    for i, subnet in enumerate(public):
        aws.ec2.RouteTableAssociation(f"public-rt-assoc-{i}-{environment}", subnet_id=subnet.id,
                                      route_table_id=public_rt.id)
    eip = aws.ec2.Eip(f"nat-eip-{environment}", domain="vpc", tags=_tags(f"nat-eip-{environment}"))
    nat = aws.ec2.NatGateway(f"nat-gw-{environment}", allocation_id=eip.id, subnet_id=public[0].id,
                             tags=_tags(f"nat-gw-{environment}"))
    private_rt = aws.ec2.RouteTable(f"private-rt-{environment}", vpc_id=vpc.id,
        tags=_tags(f"private-rt-{environment}"),
        routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)])
    for i, subnet in enumerate(private):
        aws.ec2.RouteTableAssociation(f"private-rt-assoc-{i}-{environment}", subnet_id=subnet.id,
                                      route_table_id=private_rt.id)
    return {"vpc": vpc, "public_subnets": public, "private_subnets": private, "igw": igw, "nat_gw": nat}


def create_security_groups(vpc_id):
    everywhere = [aws.ec2.SecurityGroupEgressArgs(from_port=0, to_port=0, protocol="-1", cidr_blocks=["0.0.0.0/0"],
                                                  description="Allow all outbound traffic")]
    lambda_sg = aws.ec2.SecurityGroup(f"lambda-sg-{environment}", vpc_id=vpc_id, egress=everywhere,
        description="Security group for Lambda functions", tags=_tags(f"lambda-sg-{environment}"))
    rds_sg = aws.ec2.SecurityGroup(f"rds-sg-{environment}", vpc_id=vpc_id, egress=everywhere,
        description="Security group for RDS database", tags=_tags(f"rds-sg-{environment}"),
        ingress=[aws.ec2.SecurityGroupIngressArgs(from_port=5432, to_port=5432, protocol="tcp",
            security_groups=[lambda_sg.id], description="Allow PostgreSQL from Lambda")])
    return {"lambda_sg": lambda_sg, "rds_sg": rds_sg}
""",
        "infra/s3.py": """import json

import pulumi
import pulumi_aws as aws

environment = pulumi.Config().get("environment") or "dev"
AES = [aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
        sse_algorithm="AES256"))]


def _bucket(name, purpose):
    bucket = aws.s3.BucketV2(f"{name}-{environment}",
                             tags={"Name": f"{name}-{environment}", "Environment": environment, "Purpose": purpose})
    aws.s3.BucketPublicAccessBlock(f"{name}-public-access-block-{environment}", bucket=bucket.id,
        block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
    aws.s3.BucketVersioningV2(f"{name}-versioning-{environment}", bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningV2VersioningConfigurationArgs(status="Enabled"))
    aws.s3.BucketServerSideEncryptionConfigurationV2(f"{name}-encryption-{environment}", bucket=bucket.id, rules=AES)
    return bucket


def create_static_bucket():
    return _bucket("static-content", "Static website content")


def create_data_bucket():
    bucket = _bucket("data-storage", "Data storage from RDS exports")
    aws.s3.BucketLifecycleConfigurationV2(f"data-storage-lifecycle-{environment}", bucket=bucket.id, rules=[
        aws.s3.BucketLifecycleConfigurationV2RuleArgs(id="archive-old-data", status="Enabled", transitions=[
            aws.s3.BucketLifecycleConfigurationV2RuleTransitionArgs(days=90, storage_class="STANDARD_IA"),
            aws.s3.BucketLifecycleConfigurationV2RuleTransitionArgs(days=180, storage_class="GLACIER")])])
    return bucket


def create_cloudfront_oac(static_bucket):
    return aws.cloudfront.OriginAccessControl(f"static-oac-{environment}", name=f"static-oac-{environment}",
        description="OAC for static content bucket", origin_access_control_origin_type="s3",
        signing_behavior="always", signing_protocol="sigv4")


def create_static_bucket_policy(static_bucket, cloudfront_distribution_arn):
    aws.get_caller_identity()
    document = pulumi.Output.all(static_bucket.arn, cloudfront_distribution_arn).apply(lambda args: json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "AllowCloudFrontServicePrincipal", "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
            "Resource": f"{args[0]}/*", "Condition": {"StringEquals": {"AWS:SourceArn": args[1]}}}]}))
    return aws.s3.BucketPolicy(f"static-content-policy-{environment}", bucket=static_bucket.id, policy=document)
""",
        "infra/secrets.py": """import json
import random
import string

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
environment = config.get("environment") or "dev"
db_username = config.get("db_username") or "dbadmin"
draw = random.Random(7)  # the original draws with secrets.choice: a new password on every run


def generate_password(length=32):
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*"
    return "".join(draw.choice(alphabet) for _ in range(length))


def _secret(name, description, value):
    secret = aws.secretsmanager.Secret(f"{name}-{environment}", name=f"{name}-{environment}",
        description=description, tags={"Name": f"{name}-{environment}", "Environment": environment})
    version = aws.secretsmanager.SecretVersion(f"{name}-version-{environment}", secret_id=secret.id,
                                               secret_string=json.dumps(value))
    return secret, version


def create_db_secret():
    password = generate_password()
    secret, version = _secret("db-credentials", "Database credentials for RDS",
                              {"username": db_username, "password": password})
    return {"secret": secret, "secret_version": version, "password": password}


def create_api_key_secret():
    secret, version = _secret("api-keys", "API keys for external services", {"internal_api_key": generate_password(48)})
    return {"secret": secret, "secret_version": version}
""",
        "infra/iam.py": """import json

import pulumi
import pulumi_aws as aws

environment = pulumi.Config().get("environment") or "dev"


def _role(name, service, managed):
    role = aws.iam.Role(f"{name}-{environment}", tags={"Name": f"{name}-{environment}", "Environment": environment},
        assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}]}))
    attachment, arn = managed
    aws.iam.RolePolicyAttachment(f"{attachment}-{environment}", role=role.name, policy_arn=arn)
    return role


def create_lambda_role(data_bucket_arn, secrets_arn):
    role = _role("lambda-role", "lambda.amazonaws.com",
                 ("lambda-basic-policy", "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"))
    aws.iam.RolePolicy(f"lambda-custom-policy-{environment}", role=role.id,
        policy=pulumi.Output.all(data_bucket_arn, secrets_arn).apply(lambda args: json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "S3Access", "Effect": "Allow", "Resource": [args[0], f"{args[0]}/*"],
                 "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]},
                {"Sid": "SecretsManagerAccess", "Effect": "Allow", "Resource": args[1],
                 "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]},
                {"Sid": "CloudWatchLogs", "Effect": "Allow", "Resource": "arn:aws:logs:*:*:*",
                 "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]}]})))
    return role


def create_rds_monitoring_role():
    return _role("rds-monitoring-role", "monitoring.rds.amazonaws.com",
                 ("rds-monitoring-policy", "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"))


def create_api_gateway_role():
    return _role("api-gateway-role", "apigateway.amazonaws.com", ("api-gateway-cloudwatch-policy",
                 "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"))
""",
        "infra/rds.py": """import pulumi
import pulumi_aws as aws

config = pulumi.Config()
environment = config.get("environment") or "dev"
db_name = config.get("db_name") or "appdb"


def create_rds_subnet_group(private_subnet_ids):
    return aws.rds.SubnetGroup(f"rds-subnet-group-{environment}", subnet_ids=private_subnet_ids,
        description="Subnet group for RDS in private subnets",
        tags={"Name": f"rds-subnet-group-{environment}", "Environment": environment})


def create_rds_parameter_group():
    return aws.rds.ParameterGroup(f"rds-pg-params-{environment}", family="postgres17",
        description="Custom parameter group for PostgreSQL 15",
        parameters=[aws.rds.ParameterGroupParameterArgs(name="log_statement", value="all"),
                    aws.rds.ParameterGroupParameterArgs(name="log_min_duration_statement", value="1000")],
        tags={"Name": f"rds-pg-params-{environment}", "Environment": environment})


def create_rds_instance(subnet_group, parameter_group, security_group_id, db_password, monitoring_role_arn):
    return aws.rds.Instance(f"main-db-{environment}", identifier=f"main-db-{environment}", engine="postgres",
        engine_version="17.7", instance_class="db.t3.micro", allocated_storage=20, max_allocated_storage=100,
        storage_type="gp3", storage_encrypted=True, db_name=db_name,
        username=config.get("db_username") or "dbadmin", password=db_password,
        db_subnet_group_name=subnet_group.name, vpc_security_group_ids=[security_group_id],
        parameter_group_name=parameter_group.name, publicly_accessible=False,
        skip_final_snapshot=environment == "dev",
        final_snapshot_identifier=f"main-db-final-{environment}" if environment != "dev" else None,
        backup_retention_period=7, backup_window="03:00-04:00", maintenance_window="Mon:04:00-Mon:05:00",
        monitoring_interval=60, monitoring_role_arn=monitoring_role_arn, performance_insights_enabled=True,
        performance_insights_retention_period=7, enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
        deletion_protection=environment == "prod", tags={"Name": f"main-db-{environment}", "Environment": environment})
""",
        "infra/lambda_function.py": '''import pulumi
import pulumi_aws as aws

config = pulumi.Config()
environment = config.get("environment") or "dev"
CODE = """import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": "up"})}
"""


def create_lambda_function(lambda_role, lambda_sg_id, private_subnet_ids, db_secret_arn, data_bucket_name,
                           rds_endpoint):
    group = aws.cloudwatch.LogGroup(f"lambda-logs-{environment}", name=f"/aws/lambda/api-handler-{environment}",
        retention_in_days=14, tags={"Name": f"lambda-logs-{environment}", "Environment": environment})
    return aws.lambda_.Function(f"api-handler-{environment}", name=f"api-handler-{environment}",
        runtime="python3.11", handler="lambda_function.handler", role=lambda_role.arn,
        code=pulumi.AssetArchive({"lambda_function.py": pulumi.StringAsset(CODE)}), timeout=30, memory_size=256,
        vpc_config=aws.lambda_.FunctionVpcConfigArgs(security_group_ids=[lambda_sg_id], subnet_ids=private_subnet_ids),
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=pulumi.Output.all(
            db_secret_arn, data_bucket_name, rds_endpoint).apply(lambda args: {
                "ENVIRONMENT": environment, "DB_SECRET_ARN": args[0], "DATA_BUCKET": args[1], "DB_HOST": args[2],
                "DB_NAME": config.get("db_name") or "appdb"})),
        tags={"Name": f"api-handler-{environment}", "Environment": environment},
        opts=pulumi.ResourceOptions(depends_on=[group]))


def create_lambda_permission_for_api_gateway(lambda_function, api_gateway_execution_arn):
    return aws.lambda_.Permission(f"api-gateway-lambda-permission-{environment}", action="lambda:InvokeFunction",
        function=lambda_function.name, principal="apigateway.amazonaws.com",
        source_arn=api_gateway_execution_arn.apply(lambda arn: f"{arn}/*/*"))
''',
        "infra/api_gateway.py": """import pulumi
import pulumi_aws as aws

environment = pulumi.Config().get("environment") or "dev"
ACCESS_LOG = ('{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
              '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
              '"routeKey":"$context.routeKey","status":"$context.status","responseLength":"$context.responseLength"}')


def create_api_gateway(lambda_function):
    tags = {"Name": f"main-api-{environment}", "Environment": environment}
    api = aws.apigatewayv2.Api(f"main-api-{environment}", name=f"main-api-{environment}", protocol_type="HTTP",
        description="Main API Gateway for the application", tags=tags,
        cors_configuration=aws.apigatewayv2.ApiCorsConfigurationArgs(allow_origins=["*"],
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Content-Type", "Authorization", "X-Api-Key"], max_age=300))
    integration = aws.apigatewayv2.Integration(f"lambda-integration-{environment}", api_id=api.id,
        integration_type="AWS_PROXY", integration_uri=lambda_function.arn, integration_method="POST",
        payload_format_version="2.0")
    for name, key in (("default-route", "$default"), ("api-route", "ANY /api/{proxy+}")):
        aws.apigatewayv2.Route(f"{name}-{environment}", api_id=api.id, route_key=key,
                               target=integration.id.apply(lambda id: f"integrations/{id}"))
    stage = aws.apigatewayv2.Stage(f"api-stage-{environment}", api_id=api.id, name=environment, auto_deploy=True,
        access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(destination_arn=create_api_log_group().arn,
                                                                        format=ACCESS_LOG),
        tags={"Name": f"api-stage-{environment}", "Environment": environment})
    return {"api": api, "stage": stage, "integration": integration}


def create_api_log_group():
    return aws.cloudwatch.LogGroup(f"api-gateway-logs-{environment}", name=f"/aws/api-gateway/main-api-{environment}",
        retention_in_days=14, tags={"Name": f"api-gateway-logs-{environment}", "Environment": environment})
""",
        "infra/waf.py": """import pulumi
import pulumi_aws as aws

environment = pulumi.Config().get("environment") or "dev"
W = aws.wafv2


def _visibility(name):
    return W.WebAclRuleVisibilityConfigArgs(cloudwatch_metrics_enabled=True, metric_name=name,
                                            sampled_requests_enabled=True)


def _managed(priority, name):
    return W.WebAclRuleArgs(name=name, priority=priority, visibility_config=_visibility(name),
        override_action=W.WebAclRuleOverrideActionArgs(none=W.WebAclRuleOverrideActionNoneArgs()),
        statement=W.WebAclRuleStatementArgs(managed_rule_group_statement=(
            W.WebAclRuleStatementManagedRuleGroupStatementArgs(vendor_name="AWS", name=name))))


def create_waf_acl():
    provider = aws.Provider("waf-provider", region="us-east-1")
    return W.WebAcl(f"cloudfront-waf-{environment}", name=f"cloudfront-waf-{environment}",
        description="WAF ACL for CloudFront distribution", scope="CLOUDFRONT",
        default_action=W.WebAclDefaultActionArgs(allow=W.WebAclDefaultActionAllowArgs()),
        visibility_config=W.WebAclVisibilityConfigArgs(cloudwatch_metrics_enabled=True,
            metric_name=f"cloudfront-waf-{environment}", sampled_requests_enabled=True),
        rules=[_managed(1, "AWSManagedRulesCommonRuleSet"), _managed(2, "AWSManagedRulesKnownBadInputsRuleSet"),
               _managed(3, "AWSManagedRulesSQLiRuleSet"),
               W.WebAclRuleArgs(name="RateLimitRule", priority=4, visibility_config=_visibility("RateLimitRule"),
                   action=W.WebAclRuleActionArgs(block=W.WebAclRuleActionBlockArgs()),
                   statement=W.WebAclRuleStatementArgs(rate_based_statement=(
                       W.WebAclRuleStatementRateBasedStatementArgs(limit=2000, aggregate_key_type="IP"))))],
        tags={"Name": f"cloudfront-waf-{environment}", "Environment": environment},
        opts=pulumi.ResourceOptions(provider=provider))
""",
        "infra/cloudfront.py": """import pulumi
import pulumi_aws as aws

environment = pulumi.Config().get("environment") or "dev"
CF = aws.cloudfront


def create_cloudfront_distribution(static_bucket, oac, waf_acl_arn=None):
    cache = CF.CachePolicy(f"static-cache-policy-{environment}", name=f"static-cache-policy-{environment}",
        comment="Cache policy for static content", default_ttl=86400, max_ttl=31536000, min_ttl=1,
        parameters_in_cache_key_and_forwarded_to_origin=CF.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs(
            cookies_config={"cookie_behavior": "none"}, headers_config={"header_behavior": "none"},
            query_strings_config={"query_string_behavior": "none"},
            enable_accept_encoding_brotli=True, enable_accept_encoding_gzip=True))
    requests = CF.OriginRequestPolicy(f"static-origin-request-policy-{environment}",
        name=f"static-origin-request-policy-{environment}", comment="Origin request policy for S3",
        cookies_config={"cookie_behavior": "none"}, headers_config={"header_behavior": "none"},
        query_strings_config={"query_string_behavior": "none"})
    args = {
        "enabled": True, "is_ipv6_enabled": True, "default_root_object": "index.html", "price_class": "PriceClass_100",
        "comment": f"CloudFront distribution for static content - {environment}",
        "origins": [CF.DistributionOriginArgs(domain_name=static_bucket.bucket_regional_domain_name,
                                              origin_id="S3Origin", origin_access_control_id=oac.id)],
        "default_cache_behavior": CF.DistributionDefaultCacheBehaviorArgs(
            allowed_methods=["GET", "HEAD", "OPTIONS"], cached_methods=["GET", "HEAD"], target_origin_id="S3Origin",
            viewer_protocol_policy="redirect-to-https", cache_policy_id=cache.id,
            origin_request_policy_id=requests.id, compress=True),
        "restrictions": CF.DistributionRestrictionsArgs(
            geo_restriction=CF.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")),
        "viewer_certificate": CF.DistributionViewerCertificateArgs(cloudfront_default_certificate=True),
        "custom_error_responses": [CF.DistributionCustomErrorResponseArgs(error_code=code, response_code=200,
            response_page_path="/index.html", error_caching_min_ttl=10) for code in (404, 403)],
        "tags": {"Name": f"static-cdn-{environment}", "Environment": environment},
    }
    if waf_acl_arn:
        args["web_acl_id"] = waf_acl_arn
    return CF.Distribution(f"static-cdn-{environment}", **args)
""",
        "infra/cloudwatch.py": """import json

import pulumi
import pulumi_aws as aws

environment = pulumi.Config().get("environment") or "dev"


def _widget(x, y, title, metrics):
    return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6,
            "properties": {"title": title, "metrics": metrics, "region": "eu-west-3", "period": 300}}


def create_dashboard(lambda_function_name, rds_identifier, api_name):
    body = pulumi.Output.all(lambda_function_name, rds_identifier, api_name).apply(lambda a: json.dumps({"widgets": [
        _widget(0, 0, "Lambda Invocations", [["AWS/Lambda", "Invocations", "FunctionName", a[0]],
            [".", "Errors", ".", "."], [".", "Duration", ".", ".", {"stat": "Average"}]]),
        _widget(12, 0, "RDS Performance", [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", a[1]],
                                          [".", "DatabaseConnections", ".", "."], [".", "FreeStorageSpace", ".", "."]]),
        _widget(0, 6, "API Gateway", [["AWS/ApiGateway", "Count", "ApiName", a[2]], [".", "4XXError", ".", "."],
                                      [".", "5XXError", ".", "."], [".", "Latency", ".", ".", {"stat": "Average"}]]),
        _widget(12, 6, "Lambda Concurrent Executions", [
            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", a[0]], [".", "Throttles", ".", "."]])]}))
    return aws.cloudwatch.Dashboard(f"main-dashboard-{environment}", dashboard_name=f"main-dashboard-{environment}",
                                    dashboard_body=body)


ALARMS = (  # name, metric, namespace, statistic, operator, threshold, periods, dimension, ok_actions
    ("lambda-errors", "Errors", "AWS/Lambda", "Sum", "GreaterThanThreshold", 5, 2, "FunctionName", True),
    ("lambda-duration", "Duration", "AWS/Lambda", "Average", "GreaterThanThreshold", 25000, 3, "FunctionName", False),
    ("rds-cpu", "CPUUtilization", "AWS/RDS", "Average", "GreaterThanThreshold", 80, 3, "DBInstanceIdentifier", True),
    ("rds-storage", "FreeStorageSpace", "AWS/RDS", "Average", "LessThanThreshold", 5368709120, 2,
     "DBInstanceIdentifier", True),
    ("rds-connections", "DatabaseConnections", "AWS/RDS", "Average", "GreaterThanThreshold", 80, 2,
     "DBInstanceIdentifier", False),
)


def create_alarms(lambda_function_name, rds_identifier):
    topic = aws.sns.Topic(f"alerts-topic-{environment}", name=f"alerts-topic-{environment}",
                          tags={"Name": f"alerts-topic-{environment}", "Environment": environment})
    made = {"alert_topic": topic}
    for name, metric, namespace, stat, operator, threshold, periods, dimension, ok in ALARMS:
        made[name] = aws.cloudwatch.MetricAlarm(f"{name}-alarm-{environment}", name=f"{name}-{environment}",
            comparison_operator=operator, evaluation_periods=periods, metric_name=metric, namespace=namespace,
            period=300, statistic=stat, threshold=threshold, alarm_description=f"{name} crossed its threshold",
            dimensions={dimension: lambda_function_name if namespace == "AWS/Lambda" else rds_identifier},
            alarm_actions=[topic.arn], ok_actions=[topic.arn] if ok else None,
            tags={"Name": f"{name}-alarm-{environment}", "Environment": environment})
    return made
""",
    },
    main="""import pulumi

from infra.api_gateway import create_api_gateway
from infra.cloudfront import create_cloudfront_distribution
from infra.cloudwatch import create_alarms, create_dashboard
from infra.iam import create_api_gateway_role, create_lambda_role, create_rds_monitoring_role
from infra.lambda_function import create_lambda_function, create_lambda_permission_for_api_gateway
from infra.rds import create_rds_instance, create_rds_parameter_group, create_rds_subnet_group
from infra.s3 import create_cloudfront_oac, create_data_bucket, create_static_bucket, create_static_bucket_policy
from infra.secrets import create_api_key_secret, create_db_secret
from infra.vpc import create_security_groups, create_vpc
from infra.waf import create_waf_acl

network = create_vpc()
groups = create_security_groups(network["vpc"].id)
private_ids = [s.id for s in network["private_subnets"]]
static_bucket, data_bucket = create_static_bucket(), create_data_bucket()
db = create_db_secret()
api_key = create_api_key_secret()
lambda_role = create_lambda_role(data_bucket_arn=data_bucket.arn, secrets_arn=db["secret"].arn)
monitoring_role = create_rds_monitoring_role()
create_api_gateway_role()
database = create_rds_instance(create_rds_subnet_group(private_ids), create_rds_parameter_group(),
                               groups["rds_sg"].id, db["password"], monitoring_role.arn)
function = create_lambda_function(lambda_role, groups["lambda_sg"].id, private_ids, db["secret"].arn,
                                  data_bucket.bucket, database.endpoint)
api = create_api_gateway(function)
create_lambda_permission_for_api_gateway(function, api["api"].execution_arn)
acl = create_waf_acl()
cdn = create_cloudfront_distribution(static_bucket, create_cloudfront_oac(static_bucket), waf_acl_arn=acl.arn)
create_static_bucket_policy(static_bucket, cdn.arn)
create_dashboard(function.name, database.identifier, api["api"].name)
alarms = create_alarms(function.name, database.identifier)
pulumi.export("vpc_id", network["vpc"].id)
pulumi.export("static_bucket_name", static_bucket.bucket)
pulumi.export("rds_endpoint", database.endpoint)
pulumi.export("api_gateway_url", api["stage"].invoke_url)
pulumi.export("cloudfront_domain", cdn.domain_name)
pulumi.export("waf_acl_arn", acl.arn)
pulumi.export("db_secret_arn", db["secret"].arn)
pulumi.export("api_key_secret_arn", api_key["secret"].arn)
pulumi.export("sns_alerts_topic_arn", alarms["alert_topic"].arn)
""",
    types={
        "aws:apigatewayv2/api:Api": 1,
        "aws:apigatewayv2/integration:Integration": 1,
        "aws:apigatewayv2/route:Route": 2,
        "aws:apigatewayv2/stage:Stage": 1,
        "aws:cloudfront/cachePolicy:CachePolicy": 1,
        "aws:cloudfront/distribution:Distribution": 1,
        "aws:cloudfront/originAccessControl:OriginAccessControl": 1,
        "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": 1,
        "aws:cloudwatch/dashboard:Dashboard": 1,
        "aws:cloudwatch/logGroup:LogGroup": 2,
        "aws:cloudwatch/metricAlarm:MetricAlarm": 5,
        "aws:ec2/eip:Eip": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/natGateway:NatGateway": 1,
        "aws:ec2/routeTable:RouteTable": 2,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
        "aws:ec2/securityGroup:SecurityGroup": 2,
        "aws:ec2/subnet:Subnet": 4,
        "aws:ec2/vpc:Vpc": 1,
        "aws:iam/role:Role": 3,
        "aws:iam/rolePolicy:RolePolicy": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
        "aws:lambda/function:Function": 1,
        "aws:lambda/permission:Permission": 1,
        "aws:rds/instance:Instance": 1,
        "aws:rds/parameterGroup:ParameterGroup": 1,
        "aws:rds/subnetGroup:SubnetGroup": 1,
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": 1,
        "aws:s3/bucketPolicy:BucketPolicy": 1,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": 2,
        "aws:s3/bucketV2:BucketV2": 2,
        "aws:s3/bucketVersioningV2:BucketVersioningV2": 2,
        "aws:secretsmanager/secret:Secret": 2,
        "aws:secretsmanager/secretVersion:SecretVersion": 2,
        "aws:sns/topic:Topic": 1,
        "aws:wafv2/webAcl:WebAcl": 1,
        "pulumi:providers:aws": 1,
    },
)


# A ComponentResource whose alarms are created inside `apply` callbacks on the endpoint's name (children of the
# component), a role given `managed_policy_arns`, a GPU endpoint that bills while idle. The original takes the
# container image from the SageMaker Python SDK (`sagemaker.huggingface.get_huggingface_llm_image_uri`, not installed
# here): the URI it builds, from aws/sagemaker-python-sdk@03d09741 src/sagemaker/image_uri_config/huggingface-llm.json
# (0.9.3: registry 763104351884, tag prefix 2.0.1-tgi0.9.3, py39, cu118-ubuntu20.04).
PROGRAMS["sagemaker-llm-component"] = PublicProgram(
    repo=TEMPLATES,
    source="sagemaker-aws-python/{__main__,huggingface_llm}.py",
    name="sagemaker-llm",
    files={
        "huggingface_llm.py": """import json

import pulumi
from pulumi_aws import cloudwatch, config, iam, sagemaker


def get_huggingface_llm_image_uri(backend, region, version):
    return (f"763104351884.dkr.ecr.{region}.amazonaws.com/huggingface-pytorch-tgi-inference:"
            f"2.0.1-tgi{version}-gpu-py39-cu118-ubuntu20.04")


class HuggingFaceLlm(pulumi.ComponentResource):
    def __init__(self, name, instance_type, environment_variables, tgi_version="0.9.3", pytorch_version="2.0.1",
                 startup_health_check_timeout_in_seconds=600, opts=None):
        super().__init__("huggingface:llm:HuggingFaceLlm", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        env = {**environment_variables, "TGI_VERSION": tgi_version, "PYTORCH_VERSION": pytorch_version}
        image = get_huggingface_llm_image_uri(backend="huggingface", region=config.region, version=tgi_version)
        role = iam.Role(f"{name}-role", opts=child,
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            managed_policy_arns=["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"])
        model = sagemaker.Model(f"{name}-model", execution_role_arn=role.arn, opts=child,
            primary_container=sagemaker.ModelContainerArgs(image=image, environment=env))
        endpoint_config = sagemaker.EndpointConfiguration(f"{name}-config", opts=child, production_variants=[
            sagemaker.EndpointConfigurationProductionVariantArgs(model_name=model.name, variant_name="primary",
                initial_variant_weight=1.0, initial_instance_count=1, instance_type=instance_type,
                container_startup_health_check_timeout_in_seconds=startup_health_check_timeout_in_seconds)])
        self.endpoint = sagemaker.Endpoint(f"{name}-endpoint", endpoint_config_name=endpoint_config.name, opts=child)
        self.setup_cloudwatch_alarms(self.endpoint.name)

    def setup_cloudwatch_alarms(self, endpoint_name):
        def alarm(suffix, metric, statistic, threshold):
            def create(name):
                cloudwatch.MetricAlarm(f"{name}-{suffix}", metric_name=metric, namespace="AWS/SageMaker",
                    statistic=statistic, period=60, evaluation_periods=1, threshold=threshold,
                    comparison_operator="GreaterThanOrEqualToThreshold", alarm_description=f"{suffix} alarm for {name}",
                    opts=pulumi.ResourceOptions(parent=self))
            return create

        endpoint_name.apply(alarm("HighLatency", "ModelLatency", "Average", 100000))
        endpoint_name.apply(alarm("HighErrors", "ModelError", "SampleCount", 5))
"""
    },
    main="""import pulumi

from huggingface_llm import HuggingFaceLlm

llm = HuggingFaceLlm("Llama2Llm", instance_type="ml.g5.2xlarge", environment_variables={
    "HF_MODEL_ID": "NousResearch/Llama-2-7b-chat-hf", "SM_NUM_GPUS": "1", "MAX_INPUT_LENGTH": "2048",
    "MAX_TOTAL_TOKENS": "4096", "MAX_BATCH_TOTAL_TOKENS": "8192"},
    tgi_version="0.9.3", pytorch_version="2.0.1", startup_health_check_timeout_in_seconds=600)
pulumi.export("EndpointName", llm.endpoint.name)
""",
    types={
        "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
        "aws:iam/role:Role": 1,
        "aws:sagemaker/endpoint:Endpoint": 1,
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration": 1,
        "aws:sagemaker/model:Model": 1,
        "huggingface:llm:HuggingFaceLlm": 1,
    },
)

# A function EventBridge may invoke through a permission without source_arn (any account's rules), a role given two
# broad AWS managed policies through `managed_policy_arns`, the code folder nested in an AssetArchive.
PROGRAMS["s3-writer-eventbridge-permission"] = PublicProgram(
    repo="pulumi/docs@19b82032c5f0a8668bd3bc2a3716df271147ed7c",
    source="static/programs/aws-s3bucket-lambda-eventbridge-python/__main__.py",
    name="s3-writer",
    files={
        "s3_writer/lambda_function.py": """import os

import boto3


def lambda_handler(event, context):
    boto3.client("s3").put_object(Bucket=os.environ["BUCKET_NAME"], Key="event.json", Body=str(event))
"""
    },
    main="""import pulumi
import pulumi_aws as aws

bucket = aws.s3.BucketV2("my-bucket")
role = aws.iam.Role("s3-writer-role", assume_role_policy='''{
    "Version": "2012-10-17",
    "Statement": [{"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Effect": "Allow", "Sid": ""}]
}''', managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3FullAccess",
                           "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"])
function = aws.lambda_.Function(resource_name="s3-writer-lambda-function", role=role.arn, runtime="python3.10",
    handler="lambda_function.lambda_handler", code=pulumi.AssetArchive({".": pulumi.FileArchive("./s3_writer")}),
    timeout=15, memory_size=128, environment={"variables": {"BUCKET_NAME": bucket.id}})
aws.lambda_.Permission("lambda_trigger_event", action="lambda:InvokeFunction", principal="events.amazonaws.com",
                       function=function.arn)
pulumi.export("lambdaName", function.id)
pulumi.export("bucketName", bucket.id)
pulumi.export("lambdaArn", function.arn)
""",
    types={
        "aws:iam/role:Role": 1,
        "aws:lambda/function:Function": 1,
        "aws:lambda/permission:Permission": 1,
        "aws:s3/bucketV2:BucketV2": 1,
    },
)

# An IAM user with a long-lived access key and an inline user policy.
PROGRAMS["iam-user-access-key"] = PublicProgram(
    repo="pulumi/docs@144aaa82852dfb08b59760d0610c3d23d06f930e",
    source="static/programs/aws-iam-user-userpolicy-python/__main__.py",
    name="iam-user",
    main="""import json

import pulumi_aws as aws

user = aws.iam.User("webmaster", path="/system/", tags={"Name": "webmaster"})
aws.iam.AccessKey("webmasterKey", user=user.name)
aws.iam.UserPolicy("webmasterPolicy", user=user.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Action": ["ec2:Describe*"], "Effect": "Allow", "Resource": "*"}]}))
""",
    types={
        "aws:iam/accessKey:AccessKey": 1,
        "aws:iam/user:User": 1,
        "aws:iam/userPolicy:UserPolicy": 1,
    },
)
